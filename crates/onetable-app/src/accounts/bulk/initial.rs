//! One-time initial passwords (初始口令) for accounts made in bulk: random, meeting the policy,
//! readable on paper (no 0/O, 1/l/I), and hashed on every core at once — argon2id is slow on
//! purpose, and 1,500 of them one after another would take most of a minute.

use onetable_core::password;
use rand::seq::SliceRandom;
use rand::Rng;

use crate::accounts::hashing;
use crate::problem::{AppResult, Problem};

const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const DIGITS: &[u8] = b"23456789";
const SYMBOLS: &[u8] = b"-_!@#%+=";

/// A fresh password for `username`: 12 characters of all four classes.
#[must_use]
pub fn fresh(username: &str) -> String {
    let mut rng = rand::rngs::OsRng;
    loop {
        let mut chars: Vec<u8> =
            [LOWER, UPPER, DIGITS, SYMBOLS].iter().map(|class| class[rng.gen_range(0..class.len())]).collect();
        let all: Vec<u8> = [LOWER, UPPER, DIGITS].concat();
        chars.extend((0..8).map(|_| all[rng.gen_range(0..all.len())]));
        chars.shuffle(&mut rng);
        let candidate = String::from_utf8(chars).unwrap_or_default();
        if password::check(username, &candidate).is_empty() {
            return candidate;
        }
    }
}

/// The argon2id hash of each password, in order, computed on every available core. Called off
/// the async workers (it blocks for seconds).
///
/// # Errors
/// Only if argon2 rejects its own parameters.
pub fn hash_all(passwords: &[String]) -> AppResult<Vec<String>> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get).max(1);
    let chunk = passwords.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = passwords
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|p| hashing::hash(p)).collect::<Result<Vec<_>, _>>()))
            .collect();
        let mut hashes = Vec::with_capacity(passwords.len());
        for handle in handles {
            let part = handle.join().map_err(|_| Problem::internal("a hashing thread panicked"))?;
            hashes.extend(part.map_err(Problem::internal)?);
        }
        Ok(hashes)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_passwords_meet_the_policy_and_differ() {
        let a = fresh("zhangsan");
        let b = fresh("zhangsan");
        assert_eq!(a.chars().count(), 12);
        assert!(password::check("zhangsan", &a).is_empty(), "{a}");
        assert_ne!(a, b);
        assert!(!a.contains(['0', 'O', '1', 'l', 'I']), "{a}");
    }

    #[test]
    fn hashes_come_back_in_order() {
        let passwords = vec![fresh("a"), fresh("b"), fresh("c")];
        let hashes = hash_all(&passwords).unwrap();
        assert_eq!(hashes.len(), 3);
        for (p, h) in passwords.iter().zip(&hashes) {
            assert!(hashing::verify(h, p));
        }
    }
}
