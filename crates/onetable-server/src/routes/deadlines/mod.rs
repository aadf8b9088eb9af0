//! Due dates (报送截止日期) and timeliness (及时率).

pub mod list;
pub mod set;
pub mod timeliness;
