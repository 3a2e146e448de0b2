//! Authentication: passwords, access tokens (JWT), refresh and API token secrets.

pub mod jwt;
pub mod password;
pub mod secret;
