//! From a checked project to routes: the compiled [`plan`] that executors
//! read, and the [`router`] that resolves one agent at run time with the
//! parent's route and call and task overrides.

pub mod plan;
pub mod router;
