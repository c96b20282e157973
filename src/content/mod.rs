//! The book as data: serde types ([`model`]), loading `chapters/` through the sandbox
//! ([`load`]), images checked before either output sees them ([`images`]), Markdown into
//! Typst or XHTML ([`markdown`]), and the views both outputs render ([`view`]).

pub mod images;
pub mod isbn;
pub mod links;
pub mod load;
pub mod markdown;
pub mod model;
pub mod validate;
pub mod view;
