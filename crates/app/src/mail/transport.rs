//! Where mail goes: SMTP (production), `.eml` files (the default for a local run), or memory
//! (tests). The binary builds it from `[mail]`; never a global.

use std::sync::{Arc, Mutex};

use lettre::{FileTransport, Message, SmtpTransport, Transport};

/// A mail transport.
#[derive(Clone)]
pub enum Mailer {
    Smtp(SmtpTransport),
    File(FileTransport),
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
            Mailer::File(t) => t.send(message).map(|_| ()).map_err(|e| e.to_string()),
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
