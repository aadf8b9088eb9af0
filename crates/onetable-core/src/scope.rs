//! The regions an account reaches (管辖范围): one region and everything inside it, or the whole
//! country. Every read and write of region data is checked against it, in one place.

use crate::RegionCode;

/// Where an actor may act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every region (auditors; later, ministries).
    Nationwide,
    /// This region and everything inside it.
    Within(RegionCode),
}

impl Scope {
    /// The scope a stored region column means: none is nationwide.
    #[must_use]
    pub fn from_region(region: Option<RegionCode>) -> Self {
        region.map_or(Self::Nationwide, Self::Within)
    }

    /// Whether `code` lies inside the scope.
    #[must_use]
    pub fn contains(self, code: RegionCode) -> bool {
        match self {
            Self::Nationwide => true,
            Self::Within(scope) => scope.contains(code),
        }
    }

    /// Whether the scope and the region `code` (with everything inside it) share any region: the
    /// region lies inside the scope, or the scope inside the region.
    #[must_use]
    pub fn overlaps(self, code: RegionCode) -> bool {
        match self {
            Self::Nationwide => true,
            Self::Within(scope) => scope.contains(code) || code.contains(scope),
        }
    }

    /// The scope's region; `None` when nationwide.
    #[must_use]
    pub fn region(self) -> Option<RegionCode> {
        match self {
            Self::Nationwide => None,
            Self::Within(region) => Some(region),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> RegionCode {
        RegionCode::parse(text).unwrap()
    }

    #[test]
    fn a_township_reaches_its_villages_and_overlaps_its_county() {
        let township = Scope::Within(code("522301100"));
        assert!(township.contains(code("522301100200")));
        assert!(!township.contains(code("522301101200")));
        assert!(!township.contains(code("522301")), "the county is above it");
        assert!(township.overlaps(code("522301")));
        assert!(!township.overlaps(code("522302")));
        assert!(Scope::Nationwide.contains(code("110101001001")));
        assert_eq!(Scope::from_region(None), Scope::Nationwide);
    }
}
