//! Pure computations over the model. Today: the consistency check of stated figures,
//! which finds what the published reports contradict themselves on.

pub mod check;
