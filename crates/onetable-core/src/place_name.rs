//! Place names as people write them (地名): a staff sheet says 吴家坪村 where the division list
//! says 吴家坪村村民委员会, or 多福巷社区 for 多福巷社区居委会. Both reduce to the same key.

/// The committee suffixes the division list adds to a village's or community's name, longest
/// first, with what stays of them: 村民委员会 leaves nothing (吴家坪村村民委员会 → 吴家坪村),
/// 村委会 leaves 村 (吴家坪村委会 → 吴家坪村).
const SUFFIXES: [(&str, &str); 6] =
    [("村民委员会", ""), ("居民委员会", ""), ("村委会", "村"), ("居委会", ""), ("委员会", ""), ("委会", "")];

/// The key two names of one place share: spaces and the committee suffix dropped.
#[must_use]
pub fn key(name: &str) -> String {
    let compact: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    for (suffix, kept) in SUFFIXES {
        if let Some(stem) = compact.strip_suffix(suffix) {
            if !stem.is_empty() {
                return format!("{stem}{kept}");
            }
        }
    }
    compact
}

/// The segments of a name path (敬南镇/吴家坪村, 兴义市 > 敬南镇 > 吴家坪村), outermost first.
#[must_use]
pub fn path_segments(path: &str) -> Vec<&str> {
    path.split(['/', '／', '>', '＞', '\\']).map(str::trim).filter(|s| !s.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_one_place_share_a_key() {
        assert_eq!(key("吴家坪村村民委员会"), "吴家坪村");
        assert_eq!(key("吴家坪村"), "吴家坪村");
        assert_eq!(key("吴家坪村委会"), "吴家坪村");
        assert_eq!(key("多福巷社区居委会"), key("多福巷社区"));
        assert_eq!(key("敬南镇"), "敬南镇");
        assert_ne!(key("吴家坪村"), key("吴家坪"));
    }

    #[test]
    fn paths_split_on_the_separators_people_type() {
        assert_eq!(path_segments("敬南镇/吴家坪村"), ["敬南镇", "吴家坪村"]);
        assert_eq!(path_segments(" 兴义市 > 敬南镇／吴家坪村 "), ["兴义市", "敬南镇", "吴家坪村"]);
        assert!(path_segments(" / ").is_empty());
    }
}
