//! The sweep's part of booking: appointments whose slot ended without check-in (the whole
//! round is `crate::sweep::run`).

use chrono::NaiveDateTime;
use hunyin_domain::Status;
use hunyin_store::{self as db, appointments, DbConn};

use crate::audit::Event;
use crate::error::AppError;

/// Marks `booked` appointments whose slot ended before `now` (UTC) as `no_show`, freeing both
/// persons; returns how many.
pub fn sweep_no_shows(conn: &mut DbConn, now: NaiveDateTime) -> Result<usize, AppError> {
    db::write_tx(conn, |c| -> Result<usize, AppError> {
        let due = appointments::booked_ended_before(c, now)?;
        for (id, office) in &due {
            appointments::set_status(c, *id, Status::NoShow, false, now)?;
            let subject = id.to_string();
            crate::audit::record(
                c,
                Event::system("appointment.no_show", office, ("appointment", &subject)),
            )?;
        }
        Ok(due.len())
    })
}
