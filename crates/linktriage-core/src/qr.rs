//! QR codes (ISO/IEC 18004) for the share link, so a phone on mobile data
//! can carry a report out when the practice network is down. Byte mode at
//! error-correction level L only: the most a code can carry, which a report's
//! link needs, shown on a screen, which needs no more correction. Written here,
//! small, because it ships in the clinician's page, which has a size budget;
//! a test checks it module for module against a reference encoder.

/// A square of modules, dark or light.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrCode {
    size: usize,
    /// Row by row.
    modules: Vec<bool>,
}

/// Never used: jsQR, a decoder inside many web-based scanners, has a wrong
/// alignment-pattern table for version 23 (74 for 78), so it cannot read
/// one. A report's link is often just that long; version 24 costs four
/// modules a side and reads everywhere.
pub const SKIPPED_VERSION: usize = 23;

/// Light modules around the code that readers need, in modules.
pub const QUIET_ZONE: usize = 4;

/// Error-correction codewords per block at level L, versions 1 to 40.
const ECC_PER_BLOCK: [u8; 40] = [
    7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30,
    26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
];
/// Error-correction blocks at level L, versions 1 to 40.
const BLOCKS: [u8; 40] = [
    1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14,
    15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25,
];

impl QrCode {
    /// The smallest code holding `data`, with the mask that scores best; or
    /// `None` when `data` is longer than any QR code holds (2,953 bytes).
    pub fn encode(data: &[u8]) -> Option<QrCode> {
        let mut best: Option<(usize, QrCode)> = None;
        for mask in 0..8 {
            let code = QrCode::encode_with_mask(data, mask)?;
            let score = code.penalty();
            if best.as_ref().is_none_or(|(s, _)| score < *s) {
                best = Some((score, code));
            }
        }
        best.map(|(_, code)| code)
    }

    /// The smallest code holding `data` with the given mask (0 to 7): any
    /// mask reads; this is for comparing codes module for module.
    pub fn encode_with_mask(data: &[u8], mask: u8) -> Option<QrCode> {
        let version = (1..=40)
            .filter(|&v| v != SKIPPED_VERSION)
            .find(|&v| fits(v, data.len()))?;
        let codewords = add_ecc_and_interleave(version, &data_codewords(version, data));
        Some(QrCode::with_mask(version, &codewords, mask % 8))
    }

    /// Modules on a side, quiet zone not included.
    pub fn size(&self) -> usize {
        self.size
    }

    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.size && y < self.size && self.modules[y * self.size + x]
    }

    /// An SVG path drawing the dark modules, one unit each, offset by the
    /// quiet zone: for `<svg viewBox="0 0 n n">` with `n = size + 2 × 4`.
    pub fn svg_path(&self) -> String {
        let mut path = String::new();
        for y in 0..self.size {
            let mut x = 0;
            while x < self.size {
                if !self.is_dark(x, y) {
                    x += 1;
                    continue;
                }
                let start = x;
                while self.is_dark(x, y) {
                    x += 1;
                }
                let run = x - start;
                path.push_str(&format!(
                    "M{} {}h{run}v1h-{run}z",
                    start + QUIET_ZONE,
                    y + QUIET_ZONE
                ));
            }
        }
        path
    }

    fn with_mask(version: usize, codewords: &[u8], mask: u8) -> QrCode {
        let mut grid = Grid::new(version);
        grid.draw_function_patterns(version);
        grid.draw_codewords(codewords);
        grid.apply_mask(mask);
        grid.draw_format_bits(mask);
        QrCode {
            size: grid.size,
            modules: grid.modules,
        }
    }

    /// A simplified form of the standard's mask penalty (runs, 2×2 blocks
    /// and the balance of dark and light; not finder look-alikes): any mask
    /// decodes, and this one keeps the code free of the patterns that most
    /// trouble phone cameras.
    fn penalty(&self) -> usize {
        let n = self.size;
        let mut score = 0;
        for line in 0..n {
            for horizontal in [true, false] {
                let at = |i: usize| {
                    if horizontal {
                        self.is_dark(i, line)
                    } else {
                        self.is_dark(line, i)
                    }
                };
                let mut run = 1;
                for i in 1..=n {
                    if i < n && at(i) == at(i - 1) {
                        run += 1;
                    } else {
                        if run >= 5 {
                            score += run - 2;
                        }
                        run = 1;
                    }
                }
            }
        }
        for y in 1..n {
            for x in 1..n {
                let c = self.is_dark(x, y);
                if c == self.is_dark(x - 1, y)
                    && c == self.is_dark(x, y - 1)
                    && c == self.is_dark(x - 1, y - 1)
                {
                    score += 3;
                }
            }
        }
        let dark = self.modules.iter().filter(|&&d| d).count();
        let total = n * n;
        // Ten points for each full 5 % away from half dark.
        let k = (dark * 20)
            .abs_diff(total * 10)
            .div_ceil(total)
            .saturating_sub(1);
        score + k * 10
    }
}

/// Data modules of a version, after the function patterns.
fn raw_data_modules(version: usize) -> usize {
    let mut result = (16 * version + 128) * version + 64;
    if version >= 2 {
        let alignments = version / 7 + 2;
        result -= (25 * alignments - 10) * alignments - 55;
        if version >= 7 {
            result -= 36;
        }
    }
    result
}

fn data_codeword_count(version: usize) -> usize {
    raw_data_modules(version) / 8
        - usize::from(ECC_PER_BLOCK[version - 1]) * usize::from(BLOCKS[version - 1])
}

fn count_bits(version: usize) -> usize {
    if version <= 9 { 8 } else { 16 }
}

fn fits(version: usize, len: usize) -> bool {
    len < (1 << count_bits(version))
        && 4 + count_bits(version) + 8 * len <= data_codeword_count(version) * 8
}

/// Mode, length, the bytes, a terminator, and padding to the version's capacity.
fn data_codewords(version: usize, data: &[u8]) -> Vec<u8> {
    let mut bits = Bits::default();
    bits.push(0b0100, 4);
    bits.push(data.len() as u32, count_bits(version));
    for &byte in data {
        bits.push(u32::from(byte), 8);
    }
    let capacity = data_codeword_count(version) * 8;
    bits.push(0, (capacity - bits.len).min(4));
    bits.push(0, (8 - bits.len % 8) % 8);
    let mut bytes = bits.bytes;
    for pad in [0xEC, 0x11].into_iter().cycle() {
        if bytes.len() >= capacity / 8 {
            break;
        }
        bytes.push(pad);
    }
    bytes
}

#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    len: usize,
}

impl Bits {
    fn push(&mut self, value: u32, count: usize) {
        for i in (0..count).rev() {
            if self.len.is_multiple_of(8) {
                self.bytes.push(0);
            }
            if (value >> i) & 1 == 1 {
                let last = self.bytes.len() - 1;
                self.bytes[last] |= 0x80 >> (self.len % 8);
            }
            self.len += 1;
        }
    }
}

/// Splits the data into the version's blocks, appends each block's
/// Reed–Solomon codewords, and interleaves them as the standard orders them.
fn add_ecc_and_interleave(version: usize, data: &[u8]) -> Vec<u8> {
    let blocks = usize::from(BLOCKS[version - 1]);
    let ecc_len = usize::from(ECC_PER_BLOCK[version - 1]);
    let raw_codewords = raw_data_modules(version) / 8;
    let short_blocks = blocks - raw_codewords % blocks;
    let short_len = raw_codewords / blocks;
    let divisor = reed_solomon_divisor(ecc_len);
    let mut rest = data;
    let mut all: Vec<Vec<u8>> = Vec::with_capacity(blocks);
    for i in 0..blocks {
        let data_len = short_len - ecc_len + usize::from(i >= short_blocks);
        let (block, tail) = rest.split_at(data_len);
        rest = tail;
        let ecc = reed_solomon_remainder(block, &divisor);
        let mut block = block.to_vec();
        if i < short_blocks {
            // A place-holder, skipped below, so every block has one length.
            block.push(0);
        }
        block.extend_from_slice(&ecc);
        all.push(block);
    }
    let mut result = Vec::with_capacity(raw_codewords);
    for i in 0..=short_len {
        for (j, block) in all.iter().enumerate() {
            if i != short_len - ecc_len || j >= short_blocks {
                result.push(block[i]);
            }
        }
    }
    result
}

fn reed_solomon_divisor(degree: usize) -> Vec<u8> {
    let mut result = vec![0u8; degree];
    result[degree - 1] = 1;
    let mut root = 1u8;
    for _ in 0..degree {
        for j in 0..degree {
            result[j] = gf_multiply(result[j], root);
            if j + 1 < degree {
                result[j] ^= result[j + 1];
            }
        }
        root = gf_multiply(root, 0x02);
    }
    result
}

fn reed_solomon_remainder(data: &[u8], divisor: &[u8]) -> Vec<u8> {
    let mut result = vec![0u8; divisor.len()];
    for &byte in data {
        let factor = byte ^ result[0];
        result.remove(0);
        result.push(0);
        for (r, &d) in result.iter_mut().zip(divisor) {
            *r ^= gf_multiply(d, factor);
        }
    }
    result
}

/// Multiplication in GF(2⁸) modulo x⁸ + x⁴ + x³ + x² + 1.
fn gf_multiply(x: u8, y: u8) -> u8 {
    let mut z: u8 = 0;
    for i in (0..8).rev() {
        z = (z << 1) ^ ((z >> 7) * 0x1D);
        z ^= ((y >> i) & 1) * x;
    }
    z
}

/// The code being drawn: modules, and which of them are function patterns.
struct Grid {
    size: usize,
    modules: Vec<bool>,
    function: Vec<bool>,
}

impl Grid {
    fn new(version: usize) -> Grid {
        let size = version * 4 + 17;
        Grid {
            size,
            modules: vec![false; size * size],
            function: vec![false; size * size],
        }
    }

    fn set_function(&mut self, x: usize, y: usize, dark: bool) {
        let i = y * self.size + x;
        self.modules[i] = dark;
        self.function[i] = true;
    }

    fn draw_function_patterns(&mut self, version: usize) {
        let size = self.size;
        for i in 0..size {
            self.set_function(6, i, i % 2 == 0);
            self.set_function(i, 6, i % 2 == 0);
        }
        for (x, y) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            self.draw_finder(x, y);
        }
        let positions = alignment_positions(version, size);
        let last = positions.len().saturating_sub(1);
        for (i, &x) in positions.iter().enumerate() {
            for (j, &y) in positions.iter().enumerate() {
                let on_a_finder = (i == 0 && (j == 0 || j == last)) || (i == last && j == 0);
                if !on_a_finder {
                    self.draw_square(x, y, 2, |d| d != 1);
                }
            }
        }
        // Reserve the format areas now; the real bits go in after masking.
        self.draw_format_bits(0);
        self.draw_version(version);
    }

    /// The finder at (x, y) with its separator, clipped to the code.
    fn draw_finder(&mut self, x: usize, y: usize) {
        self.draw_square(x, y, 4, |d| d != 2 && d != 4);
    }

    /// Modules within `radius` of (x, y) (by the larger of the distances),
    /// dark where `dark(distance)`, clipped to the code.
    fn draw_square(&mut self, x: usize, y: usize, radius: usize, dark: impl Fn(usize) -> bool) {
        for yy in y.saturating_sub(radius)..=(y + radius).min(self.size - 1) {
            for xx in x.saturating_sub(radius)..=(x + radius).min(self.size - 1) {
                let distance = xx.abs_diff(x).max(yy.abs_diff(y));
                self.set_function(xx, yy, dark(distance));
            }
        }
    }

    fn draw_format_bits(&mut self, mask: u8) {
        // Level L is 01.
        let data = (1u32 << 3) | u32::from(mask);
        let mut rem = data;
        for _ in 0..10 {
            rem = (rem << 1) ^ ((rem >> 9) * 0x537);
        }
        let bits = ((data << 10) | rem) ^ 0x5412;
        let bit = |i: usize| (bits >> i) & 1 == 1;
        let size = self.size;
        for i in 0..=5 {
            self.set_function(8, i, bit(i));
        }
        self.set_function(8, 7, bit(6));
        self.set_function(8, 8, bit(7));
        self.set_function(7, 8, bit(8));
        for i in 9..15 {
            self.set_function(14 - i, 8, bit(i));
        }
        for i in 0..8 {
            self.set_function(size - 1 - i, 8, bit(i));
        }
        for i in 8..15 {
            self.set_function(8, size - 15 + i, bit(i));
        }
        self.set_function(8, size - 8, true);
    }

    fn draw_version(&mut self, version: usize) {
        if version < 7 {
            return;
        }
        let mut rem = version as u32;
        for _ in 0..12 {
            rem = (rem << 1) ^ ((rem >> 11) * 0x1F25);
        }
        let bits = ((version as u32) << 12) | rem;
        for i in 0..18 {
            let dark = (bits >> i) & 1 == 1;
            let (a, b) = (self.size - 11 + i % 3, i / 3);
            self.set_function(a, b, dark);
            self.set_function(b, a, dark);
        }
    }

    /// Places the codewords' bits in the zig-zag of two-module columns, right
    /// to left, skipping the vertical timing column and function patterns.
    fn draw_codewords(&mut self, codewords: &[u8]) {
        let size = self.size;
        let total_bits = codewords.len() * 8;
        let mut i = 0;
        let mut right = size - 1;
        loop {
            if right == 6 {
                right = 5;
            }
            for vertical in 0..size {
                for j in 0..2 {
                    let x = right - j;
                    let upward = (right + 1) & 2 == 0;
                    let y = if upward {
                        size - 1 - vertical
                    } else {
                        vertical
                    };
                    let at = y * size + x;
                    if !self.function[at] && i < total_bits {
                        self.modules[at] = (codewords[i >> 3] >> (7 - (i & 7))) & 1 == 1;
                        i += 1;
                    }
                }
            }
            if right < 2 {
                break;
            }
            right -= 2;
        }
    }

    fn apply_mask(&mut self, mask: u8) {
        for y in 0..self.size {
            for x in 0..self.size {
                let invert = match mask {
                    0 => (x + y) % 2 == 0,
                    1 => y % 2 == 0,
                    2 => x % 3 == 0,
                    3 => (x + y) % 3 == 0,
                    4 => (x / 3 + y / 2) % 2 == 0,
                    5 => x * y % 2 + x * y % 3 == 0,
                    6 => (x * y % 2 + x * y % 3) % 2 == 0,
                    _ => ((x + y) % 2 + x * y % 3) % 2 == 0,
                };
                let at = y * self.size + x;
                if invert && !self.function[at] {
                    self.modules[at] = !self.modules[at];
                }
            }
        }
    }
}

/// Centres of the alignment patterns, in both directions.
fn alignment_positions(version: usize, size: usize) -> Vec<usize> {
    if version == 1 {
        return Vec::new();
    }
    let count = version / 7 + 2;
    let step = (version * 8 + count * 3 + 5) / (count * 4 - 4) * 2;
    let mut positions: Vec<usize> = (0..count - 1).map(|i| size - 7 - i * step).collect();
    positions.push(6);
    positions.reverse();
    positions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_grow_with_the_data_and_stop_at_the_largest() {
        let size_for = |len: usize| QrCode::encode(&vec![b'a'; len]).map(|c| c.size());
        assert_eq!(size_for(0), Some(21));
        assert_eq!(size_for(17), Some(21));
        assert_eq!(size_for(18), Some(25));
        assert_eq!(size_for(1_091), Some(113)); // 109 would be version 23
        assert_eq!(size_for(1_171), Some(113));
        assert_eq!(size_for(2_953), Some(177));
        assert_eq!(size_for(2_954), None);
    }

    #[test]
    fn the_path_draws_every_dark_module_once() {
        let code = QrCode::encode(b"https://example.org/desk/#LT2.abc.12345678")
            .unwrap_or_else(|| unreachable!());
        let dark = (0..code.size())
            .flat_map(|y| (0..code.size()).map(move |x| (x, y)))
            .filter(|&(x, y)| code.is_dark(x, y))
            .count();
        let drawn: usize = code
            .svg_path()
            .split('h')
            .skip(1)
            .step_by(2)
            .map(|run| {
                run.split('v')
                    .next()
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(0)
            })
            .sum();
        assert_eq!(drawn, dark);
    }
}
