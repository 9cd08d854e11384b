//! A federated pair for the desk's walks: the 江苏 instance the registrar works at (on the
//! suite's engine: PostgreSQL when `TEST_DATABASE_URL` names it, else SQLite) and a 河南
//! instance on a SQLite database of its own, each with its own key, each in the other's
//! directory for every operation.

use std::sync::Arc;

use super::app::{spawn_app_on, spawn_app_with, TestApp};
use super::database::TestDb;
use super::partner::{KeyFile, ALL_OPS, HENAN, JIANGSU};
use super::proxy::free_port;

/// Two regions that trust each other.
pub struct Pair {
    /// 江苏, where the desk is.
    pub desk: TestApp,
    /// 河南, the partner instance.
    pub partner: TestApp,
    /// Both instances' key files, removed with the pair.
    _keys: (KeyFile, KeyFile),
}

impl Pair {
    pub fn start() -> Pair {
        let (desk_key, partner_key) = (KeyFile::new(), KeyFile::new());
        let desk_port = free_port();
        let desk_url = format!("http://127.0.0.1:{desk_port}");
        let partner_db = Arc::new(TestDb::create_sqlite());
        let partner = spawn_app_on(partner_db.clone(), partner_db.url(), |s| {
            let js = JIANGSU.peer(&desk_url, &desk_key.key, &ALL_OPS);
            HENAN.configure(s, &partner_key, vec![js]);
        });
        let desk = spawn_app_with(|s| {
            s.server.port = desk_port;
            let ha = HENAN.peer(&partner.address, &partner_key.key, &ALL_OPS);
            JIANGSU.configure(s, &desk_key, vec![ha]);
        });
        Pair {
            desk,
            partner,
            _keys: (desk_key, partner_key),
        }
    }
}
