//! Generated and mutated input for the parsers a user can reach. Each case is made from
//! a seed, so a failure can be made again: the failing input is kept in
//! `test-artifacts/fuzz/` and the seed is in the message. `DXMON_FUZZ_CASES` sets how
//! many cases each target runs (more for a longer search than CI's).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Cases per target: `DXMON_FUZZ_CASES`, or `default`.
pub fn cases(default: u64) -> u64 {
    std::env::var("DXMON_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Text that parsers meet at their edges: numbers at the ends of their ranges, quotes
/// and separators, Vietnamese, markup, control characters.
pub const TOKENS: &[&str] = &[
    "0",
    "-1",
    "-0",
    "1e308",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "99999999999999999999999999999",
    "79228162514264337593543950336",
    "0.0000000000000000000000000001",
    "1.234,5",
    "54,34%",
    "18446744073709551616",
    "4294967295",
    "2023-H1",
    "9999-Q4",
    "0000-01",
    "2024-13",
    "30/2/2024",
    "\"",
    "'",
    ",",
    ";",
    "\n",
    "\r\n",
    "\t",
    "\u{0}",
    "\u{7f}",
    "\u{feff}",
    "[[",
    "]]",
    "[",
    "]",
    "{",
    "}",
    "=",
    ":",
    "\\",
    "#",
    "group:",
    "Đà Nẵng",
    "Thừa Thiên - Huế",
    "<script>",
    "&amp;",
    "true",
    "null",
    "XFD1048576",
    "A4294967295",
];

/// A random number generator for case `case` of a target.
pub fn rng(target: &str, case: u64) -> ChaCha8Rng {
    let salt = target.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    ChaCha8Rng::seed_from_u64(salt ^ case)
}

/// `input` changed by one to four random edits: bits flipped, bytes set, inserted or
/// removed, a stretch repeated (so that inputs also grow), a token put in or put in
/// place of a word or number, the end cut off.
pub fn mutate(rng: &mut ChaCha8Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..rng.random_range(1..=4) {
        let len = out.len();
        let at = if len == 0 { 0 } else { rng.random_range(0..len) };
        match rng.random_range(0..8) {
            0 if len > 0 => out[at] ^= 1 << rng.random_range(0..8),
            1 if len > 0 => out[at] = rng.random(),
            2 => {
                let n = rng.random_range(1..16);
                let bytes: Vec<u8> = (0..n).map(|_| rng.random()).collect();
                out.splice(at..at, bytes);
            }
            3 if len > 0 => {
                let end = (at + rng.random_range(1..64)).min(len);
                out.drain(at..end);
            }
            4 if len > 0 => {
                let end = (at + rng.random_range(1..256)).min(len);
                let chunk = out[at..end].to_vec();
                let times = if rng.random_range(0..10) == 0 { rng.random_range(2..200) } else { 1 };
                let dest = rng.random_range(0..=len);
                out.splice(dest..dest, chunk.iter().copied().cycle().take(chunk.len() * times));
            }
            5 => {
                let token = TOKENS[rng.random_range(0..TOKENS.len())].as_bytes();
                out.splice(at..at, token.iter().copied());
            }
            6 if len > 0 => {
                // A word or a number: the run of letters, digits and dots around `at`.
                let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'.' || *b == b'-';
                let start = out[..at].iter().rposition(|b| !word(b)).map_or(0, |i| i + 1);
                let end = out[at..].iter().position(|b| !word(b)).map_or(len, |i| at + i);
                let token = TOKENS[rng.random_range(0..TOKENS.len())].as_bytes();
                out.splice(start..end, token.iter().copied());
            }
            7 if len > 0 => out.truncate(at),
            _ => {}
        }
    }
    out
}

/// Input made up from nothing: tokens and random bytes, one after another.
pub fn generate(rng: &mut ChaCha8Rng) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..rng.random_range(0..40) {
        if rng.random_range(0..3) == 0 {
            let n = rng.random_range(1..8);
            out.extend((0..n).map(|_| rng.random::<u8>()));
        } else {
            out.extend_from_slice(TOKENS[rng.random_range(0..TOKENS.len())].as_bytes());
        }
    }
    out
}

/// Keeps an input that made a target fail, and says where.
pub fn keep(target: &str, case: u64, input: &[u8]) -> String {
    let dir = crate::artifacts().join("fuzz");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{target}-{case}"));
    let _ = std::fs::write(&path, input);
    format!("{target} failed at case {case}; the input is in {}", path.display())
}

/// Runs `check` on `cases` inputs for `target`: each generated or a mutation of one of
/// `seeds`. A panic is a failure, with the input kept.
pub fn run(target: &str, seeds: &[Vec<u8>], cases: u64, check: impl Fn(&[u8])) {
    for case in 0..cases {
        let mut rng = rng(target, case);
        let input = if seeds.is_empty() || rng.random_range(0..8) == 0 {
            generate(&mut rng)
        } else {
            let seed = &seeds[rng.random_range(0..seeds.len())];
            mutate(&mut rng, seed)
        };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&input)));
        if outcome.is_err() {
            panic!("{}", keep(target, case, &input));
        }
    }
}
