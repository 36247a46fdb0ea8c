//! Checks that need more than one file: a project loaded and linked
//! ([`project`]: duplicate names, shadowing, tools, roles, routes),
//! declared capabilities against the models' ([`capability`]),
//! suppressions and lint levels ([`suppress`]), and the safe fixes findings
//! carry ([`fix`]). Per-file checks run while the model is built
//! ([`crate::model`]); the codes are registered in [`crate::rules`].

pub mod capability;
pub mod fix;
pub mod project;
pub mod suppress;
