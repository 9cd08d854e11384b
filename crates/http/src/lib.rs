//! The web side of the service: the route table, thin handlers (extract, call one use case, map
//! the result), the one place where an error becomes problem+json, extractors, middleware,
//! rate limiting, the listing cache, signing partner answers, CSV/SVG rendering and metrics.

pub mod citizen;
pub mod extract;
pub mod listing_cache;
pub mod metrics;
pub mod middleware;
pub mod problem;
pub mod ratelimit;
pub mod routes;
pub mod server;
pub mod staff;
pub mod state;
pub mod statistics_render;

pub use problem::ApiError;
pub use state::WebState;
