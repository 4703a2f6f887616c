//! Caching: the patterns that keep a cache and a database together, the race that leaves a
//! stale value behind after an invalidation, and the stampedes, avalanches and penetration
//! attacks that push load past the cache onto the database.

mod avalanche;
mod invalidation;
mod invalidation_figures;
mod invalidation_model;
mod patterns;
mod patterns_figures;
mod penetration;
mod stampede;
mod stampede_figures;
mod write_behind;

pub use avalanche::{ExpiryRow, MassExpiry, mass_expiry_experiment};
pub use invalidation::{
    CacheCell, InvalidationScheme, RaceRow, RaceWorkload, invalidation_race_experiment,
};
pub use invalidation_figures::{race_figure, race_table};
pub use invalidation_model::{
    InvalidationRace, RaceCheckRow, RaceState, RaceStep, ReaderStage, WriterStage,
};
pub use patterns::{
    CachePattern, Invalidation, PatternRow, PatternWorkload, outside_writer_experiment,
    pattern_experiment,
};
pub use patterns_figures::{pattern_latency_figure, pattern_table};
pub use penetration::{
    Penetration, PenetrationDefense, PenetrationRow, penetration_experiment, predicted_db_fraction,
};
pub use stampede::{
    HotKey, LoadRow, RefreshStrategy, StampedeRow, StampedeRun, stampede_experiment,
};
pub use stampede_figures::{
    mass_expiry_figure, penetration_figure, penetration_table, stampede_figure, stampede_table,
};
pub use write_behind::WriteBehindBuffer;
