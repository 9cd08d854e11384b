//! A partner's answer is believed only when it is signed by that partner and bound to our
//! request, whatever its status: a 4xx or 5xx from someone in between is not the partner's.
//! Real HTTP on 127.0.0.1: a listener that answers one fixed response per connection.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use hunyin_partner::client::{self, CallError};
use hunyin_partner::{keys, Directory, Partners, PeerConfig};

/// A listener answering every request with `status` and a problem body, unsigned.
fn unsigned_partner(status: u16) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { return };
            let mut buf = [0u8; 8192];
            let _ = s.read(&mut buf);
            let body = format!(
                r#"{{"type":"about:blank","title":"x","status":{status},"code":"already_married"}}"#
            );
            let _ = write!(
                s,
                "HTTP/1.1 {status} X\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

fn partners(base_url: &str) -> Partners {
    let ours = keys::generate().unwrap();
    let theirs = keys::generate().unwrap();
    let directory = Directory::new(
        &[PeerConfig {
            name: "henan".into(),
            prefixes: vec!["41".into()],
            base_url: base_url.into(),
            key_id: "henan-test".into(),
            public_key: keys::public_to_text(&theirs.verifying_key()),
            operations: vec!["registration_status".into()],
        }],
        "32",
    )
    .unwrap();
    Partners {
        directory,
        identity: Some(("jiangsu-test".into(), ours)),
        ..Partners::disabled()
    }
}

#[test]
fn an_unsigned_error_answer_is_not_the_partners() {
    let agent = client::agent(Duration::from_secs(2), Duration::from_secs(5));
    for status in [400, 404, 409, 503] {
        let p = partners(&unsigned_partner(status));
        let peer = p.directory.by_name("henan").unwrap();
        let got = client::call(&p, &agent, peer, "GET", "/v1/partner/registrations/x", None);
        match (status, got) {
            (503, Err(CallError::Transport(e))) => assert!(e.contains("unsigned"), "{e}"),
            (_, Err(CallError::BadAnswer(e))) => assert!(e.contains("signature"), "{e}"),
            (_, other) => panic!("{status}: {other:?}"),
        }
    }
}
