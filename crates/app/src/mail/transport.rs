//! Where mail goes: SMTP (production), `.eml` files (the default for a local run), or memory
//! (tests). The binary builds it from `[mail]`; never a global.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use hunyin_store::owner_only;
use lettre::{Message, SmtpTransport, Transport};

/// A mail transport.
#[derive(Clone)]
pub enum Mailer {
    Smtp(SmtpTransport),
    File(MailDrop),
    /// Keeps sent messages (formatted) for tests.
    Memory(Arc<Mutex<Vec<Vec<u8>>>>),
}

impl Mailer {
    /// An in-memory mailer and the list it fills.
    pub fn memory() -> (Mailer, Arc<Mutex<Vec<Vec<u8>>>>) {
        let store = Arc::new(Mutex::new(Vec::new()));
        (Mailer::Memory(store.clone()), store)
    }

    /// Sends one message (blocking: call it off the async workers).
    pub fn send(&self, message: &Message) -> Result<(), String> {
        match self {
            Mailer::Smtp(t) => t.send(message).map(|_| ()).map_err(|e| e.to_string()),
            Mailer::File(drop) => drop.send(message),
            Mailer::Memory(store) => {
                store
                    .lock()
                    .map_err(|_| "memory mailer poisoned".to_owned())?
                    .push(message.formatted());
                Ok(())
            }
        }
    }
}

/// A folder of `.eml` files, one per message, readable by the owner only: the folder 0700 when
/// created here, each file 0600, written under a hidden temporary name and renamed, so that a
/// reader of the folder never sees half a message.
#[derive(Debug, Clone)]
pub struct MailDrop {
    dir: PathBuf,
}

impl MailDrop {
    /// The drop at `dir`, created (with its missing parents) if needed.
    pub fn open(dir: &Path) -> std::io::Result<MailDrop> {
        owner_only::create_dir_all(dir)?;
        Ok(MailDrop {
            dir: dir.to_owned(),
        })
    }

    /// Writes `message` as `<uuid>.eml`.
    pub fn send(&self, message: &Message) -> Result<(), String> {
        let id = uuid::Uuid::new_v4().simple();
        let (tmp, path) = (
            self.dir.join(format!(".{id}.tmp")),
            self.dir.join(format!("{id}.eml")),
        );
        let written = owner_only::create_new(&tmp)
            .and_then(|mut f| f.write_all(&message.formatted()).and_then(|_| f.sync_all()))
            .and_then(|_| std::fs::rename(&tmp, &path));
        written.map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("mail folder {}: {e}", self.dir.display())
        })
    }
}
