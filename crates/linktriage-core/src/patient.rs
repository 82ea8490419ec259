//! Patient details typed by mistake into what a report carries: an NHS
//! number, told from any other number by its check digit (the NHS Data
//! Dictionary's modulus 11), so that a ticket reference is not taken for one.
//! A report leaves out a field that holds one (`SiteDetails::tidied`, in the
//! report's model), and the page says why beside it.
//!
//! Dates are left alone: "since 09:00 on 03/12" is what the note is for,
//! and a date alone names nobody.

/// Whether `text` holds an NHS number: ten digits together (`9434765919`)
/// or as the NHS writes them, 3, 3 and 4 apart (`943 476 5919`,
/// `943-476-5919`), not inside a longer number or word, with a right check
/// digit. ASCII only, bytes at a time: Unicode's tables of letters would
/// weigh kilobytes in every page that writes a report, and a number next to
/// a letter outside ASCII is still taken as standing alone, which errs on
/// the side of the patient.
pub fn holds_nhs_number(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(offset) = bytes[at..].iter().position(u8::is_ascii_digit) {
        // One number: runs of digits joined by one space or hyphen each.
        let start = at + offset;
        let mut groups: Vec<&[u8]> = Vec::new();
        let mut end = start;
        loop {
            let run = bytes[end..]
                .iter()
                .position(|b| !b.is_ascii_digit())
                .unwrap_or(bytes.len() - end);
            groups.push(&bytes[end..end + run]);
            end += run;
            match bytes.get(end..end + 2) {
                Some([b' ' | b'-', next]) if next.is_ascii_digit() => end += 1,
                _ => break,
            }
        }
        let alone = (start == 0 || !bytes[start - 1].is_ascii_alphanumeric())
            && bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric());
        if alone && is_nhs_number(&groups) {
            return true;
        }
        at = end;
    }
    false
}

/// Whether one number, written as `groups` of digits, is an NHS number.
fn is_nhs_number(groups: &[&[u8]]) -> bool {
    let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    matches!(lengths.as_slice(), [10] | [3, 3, 4])
        && check_digit_holds(
            groups
                .iter()
                .flat_map(|g| g.iter())
                .map(|b| u32::from(b - b'0')),
        )
}

/// The NHS number's check, on its ten digits: the first nine weighted 10
/// down to 2, summed; 11 less the remainder by 11 is the tenth digit (11
/// is 0, 10 is never valid).
fn check_digit_holds(digits: impl Iterator<Item = u32>) -> bool {
    let mut sum = 0;
    let mut last = None;
    for (digit, weight) in digits.zip((1..=10).rev()) {
        if weight == 1 {
            last = Some(digit);
        } else {
            sum += digit * weight;
        }
    }
    let check = match 11 - sum % 11 {
        11 => 0,
        check => check,
    };
    last == Some(check)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nhs_numbers_are_told_from_other_numbers() {
        let cases = [
            // NHS numbers, in the ways people type them.
            ("9434765919", true),
            ("943 476 5919", true),
            ("943-476-5919", true),
            ("patient 4010232137 rang", true),
            ("(943 476 5919)", true),
            ("NHS no: 943 476 5919.", true),
            // A check digit of 0 (11 less a remainder of 0), and of 1.
            ("0100000010", true),
            ("1000000001", true),
            // A remainder of 1: a check digit of 10, never valid.
            ("1000000010", false),
            // One digit wrong: the check digit fails.
            ("9434765918", false),
            ("943 476 5918", false),
            // Not ten digits, or not grouped as the NHS writes them.
            ("943476591", false),
            ("94347659190", false),
            ("9434 765 919", false),
            ("94 34 76 59 19", false),
            ("943  476 5919", false),
            // Inside a word or a longer reference.
            ("INC9434765919", false),
            ("9434765919A", false),
            ("REF-9434765919", true),
            // Next to a letter outside ASCII: taken as alone, for the patient.
            ("é9434765919", true),
            // What the fields are for.
            ("INC0012345", false),
            ("Y00999", false),
            ("since 09:00 on 03/12/2026, screens freeze", false),
            ("0300 123 4567", false),
            ("", false),
        ];
        for (text, expected) in cases {
            assert_eq!(holds_nhs_number(text), expected, "{text:?}");
        }
    }

    #[test]
    fn the_check_digit_is_the_data_dictionarys() {
        // 943 476 591: 9×10 + 4×9 + 3×8 + 4×7 + 7×6 + 6×5 + 5×4 + 9×3 + 1×2
        // = 299; 299 mod 11 = 2; 11 - 2 = 9.
        let digits = |n: &str| n.bytes().map(|b| u32::from(b - b'0')).collect::<Vec<_>>();
        assert!(check_digit_holds(digits("9434765919").into_iter()));
        // A remainder of 1 would need a check digit of 10: no such number.
        let ten = (0..10_u32)
            .map(|last| format!("100000001{last}"))
            .filter(|n| check_digit_holds(digits(n).into_iter()))
            .count();
        assert_eq!(ten, 0);
    }
}
