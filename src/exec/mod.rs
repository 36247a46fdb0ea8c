//! What talks to providers' servers: the reference executor ([`run`]), the
//! provider probe ([`providers`]) and `agentc doctor`'s live checks
//! ([`doctor`]).

pub mod doctor;
pub mod providers;
pub mod run;
