//! sea-orm models of trapeze, one file per table. The schema itself is owned by `migration`.

pub mod persona;
