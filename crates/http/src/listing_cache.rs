//! A short-lived cache of slot listings. In a 5-20 rush every couple refreshes the same few
//! offices' listings; each listing computes a month of slots and reads the database. Answers are
//! kept for `booking.listing_cache_ms` and dropped at once when this instance books, moves or
//! cancels at that office (changes made through other instances show within that time; the
//! booking itself always decides on the database).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::web::Bytes;

/// Entries beyond this are dropped wholesale (a bound on memory, not a policy).
const MAX_ENTRIES: usize = 10_000;

/// Office id -> listing range -> (when it was made, the answer).
type Listings = HashMap<String, HashMap<String, (Instant, Bytes)>>;

pub struct ListingCache {
    ttl: Duration,
    offices: Mutex<Listings>,
}

impl ListingCache {
    /// `ttl_ms` 0 disables the cache.
    pub fn new(ttl_ms: u64) -> ListingCache {
        ListingCache {
            ttl: Duration::from_millis(ttl_ms),
            offices: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Listings> {
        self.offices.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh listing of `office_id` for `range`, if any.
    pub fn get(&self, office_id: &str, range: &str) -> Option<Bytes> {
        if self.ttl.is_zero() {
            return None;
        }
        self.lock()
            .get(office_id)
            .and_then(|ranges| ranges.get(range))
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, body)| body.clone())
    }

    pub fn put(&self, office_id: &str, range: &str, body: Bytes) {
        if self.ttl.is_zero() {
            return;
        }
        let mut offices = self.lock();
        if offices.values().map(HashMap::len).sum::<usize>() >= MAX_ENTRIES {
            offices.clear();
        }
        offices
            .entry(office_id.to_owned())
            .or_default()
            .insert(range.to_owned(), (Instant::now(), body));
    }

    /// Drops the listings of an office (after this instance changed its seats).
    pub fn invalidate(&self, office_id: &str) {
        self.lock().remove(office_id);
    }

    /// Drops every listing.
    pub fn clear(&self) {
        self.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_are_invalidated_per_office() {
        let c = ListingCache::new(60_000);
        c.put("a", "1", Bytes::from_static(b"x"));
        c.put("ab", "1", Bytes::from_static(b"y"));
        assert_eq!(c.get("a", "1").as_deref(), Some(&b"x"[..]));
        c.invalidate("a");
        assert!(c.get("a", "1").is_none());
        assert_eq!(
            c.get("ab", "1").as_deref(),
            Some(&b"y"[..]),
            "another office kept"
        );
        let off = ListingCache::new(0);
        off.put("a", "1", Bytes::from_static(b"x"));
        assert!(off.get("a", "1").is_none());
        let short = ListingCache::new(1);
        short.put("a", "1", Bytes::from_static(b"x"));
        std::thread::sleep(Duration::from_millis(5));
        assert!(short.get("a", "1").is_none());
    }
}
