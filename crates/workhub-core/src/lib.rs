//! The vocabulary every other crate shares: identifiers, the clock, the error code table,
//! languages and small pure validators. No I/O lives here.

pub mod callback_crypto;
pub mod clock;
pub mod edition;
pub mod error;
pub mod ids;
pub mod lang;
pub mod search;
pub mod secret;
pub mod uscc;

pub use clock::{Clock, FixedClock, SystemClock};
pub use edition::Edition;
pub use error::{Code, Error, Result};
pub use ids::{CorpId, Seq, UserId};
pub use lang::Lang;
