//! `/favicon.ico`, which every browser asks for whatever a page links: a
//! 16 x 16 icon drawn here (NHS blue, a white link between two points), so
//! that the request is answered rather than logged as a failure.

use std::sync::LazyLock;

/// The icon's side, in pixels.
const SIDE: usize = 16;
/// NHS blue (#005EB8) and white, as BGRA, the order an icon's bitmap keeps.
const BLUE: [u8; 4] = [0xB8, 0x5E, 0x00, 0xFF];
const WHITE: [u8; 4] = [0xFF, 0xFF, 0xFF, 0xFF];

/// The icon's bytes: an ICO holding one 32-bit bitmap.
pub static ICON: LazyLock<Vec<u8>> = LazyLock::new(draw);

/// Whether the pixel at (`x`, `y`), from the top left, is white: two dots
/// joined by a line, a link.
fn is_white(x: usize, y: usize) -> bool {
    let near = |cx: usize, cy: usize| x.abs_diff(cx).pow(2) + y.abs_diff(cy).pow(2) <= 4;
    let on_line = (3..=12).contains(&x) && (7..=8).contains(&y);
    near(3, 8) || near(12, 7) || on_line
}

fn draw() -> Vec<u8> {
    let pixels = SIDE * SIDE * 4;
    // One bit a pixel, rows padded to 32 bits: all zero, since the alpha
    // channel already says what shows.
    let mask = SIDE * 4;
    let bitmap = 40 + pixels + mask;
    let mut ico = Vec::with_capacity(6 + 16 + bitmap);
    // The directory: reserved, type 1 (icon), one image.
    ico.extend([0, 0, 1, 0, 1, 0]);
    let side = SIDE as u8;
    ico.extend([side, side, 0, 0, 1, 0, 32, 0]);
    ico.extend((bitmap as u32).to_le_bytes());
    ico.extend(22u32.to_le_bytes());
    // BITMAPINFOHEADER: its height counts the mask too.
    ico.extend(40u32.to_le_bytes());
    ico.extend((SIDE as i32).to_le_bytes());
    ico.extend((2 * SIDE as i32).to_le_bytes());
    ico.extend(1u16.to_le_bytes());
    ico.extend(32u16.to_le_bytes());
    ico.extend([0; 24]);
    // Rows from the bottom up.
    for y in (0..SIDE).rev() {
        for x in 0..SIDE {
            ico.extend(if is_white(x, y) { WHITE } else { BLUE });
        }
    }
    ico.extend(std::iter::repeat_n(0, mask));
    ico
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_icon_is_one_16_pixel_bitmap_whose_sizes_add_up() {
        let ico = &*ICON;
        assert_eq!(&ico[..6], [0, 0, 1, 0, 1, 0]);
        assert_eq!((ico[6], ico[7]), (16, 16));
        let size = u32::from_le_bytes([ico[14], ico[15], ico[16], ico[17]]) as usize;
        let offset = u32::from_le_bytes([ico[18], ico[19], ico[20], ico[21]]) as usize;
        assert_eq!(offset + size, ico.len());
        assert_eq!(ico.len(), 6 + 16 + 40 + 16 * 16 * 4 + 16 * 4);
        // Both colours are drawn.
        let pixels = &ico[offset + 40..offset + 40 + 1024];
        let white = pixels.chunks(4).filter(|p| *p == WHITE).count();
        assert!(white > 10 && white < 100, "{white} white pixels");
    }
}
