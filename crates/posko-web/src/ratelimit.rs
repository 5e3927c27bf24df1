//! Rate limits on report intake: per client address (the page and the API) and per API token.
//! A refused request gets `429 Too Many Requests` with `Retry-After` in seconds. Limits are kept
//! in each app server's memory: behind a load balancer of N servers a client can reach N times
//! the configured rate, which is acceptable for flood protection (the store stays consistent).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

type Keyed<K> = RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock>;

/// The limiters of one app server.
#[derive(Clone)]
pub struct Limits {
    by_address: Arc<Keyed<IpAddr>>,
    by_token: Arc<Keyed<i64>>,
}

fn quota(per_minute: u32) -> Quota {
    let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
    // A burst of a quarter of the minute's allowance, at least 5: many phones share one address
    // behind carriers' NAT, and a person fixing a form must not be locked out, while a flood is.
    let burst =
        NonZeroU32::new((per_minute / 4).max(5).min(per_minute.max(1))).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(n).allow_burst(burst)
}

impl Limits {
    pub fn new(per_address_per_minute: u32, per_token_per_minute: u32) -> Limits {
        Limits {
            by_address: Arc::new(RateLimiter::keyed(quota(per_address_per_minute))),
            by_token: Arc::new(RateLimiter::keyed(quota(per_token_per_minute))),
        }
    }

    /// `Err(wait)` when the address has used its allowance.
    pub fn check_address(&self, ip: IpAddr) -> Result<(), Duration> {
        self.by_address
            .check_key(&ip)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    pub fn check_token(&self, client_id: i64) -> Result<(), Duration> {
        self.by_token
            .check_key(&client_id)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_refused_with_a_wait() {
        let l = Limits::new(12, 600);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let allowed = (0..20).filter(|_| l.check_address(ip).is_ok()).count();
        assert_eq!(allowed, 5, "burst of 5 at 12/min");
        let wait = l.check_address(ip).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(5),
            "{wait:?}"
        );
        assert!(
            l.check_address("10.0.0.1".parse().unwrap()).is_ok(),
            "per address"
        );
        let tokens = (0..400).filter(|_| l.check_token(1).is_ok()).count();
        assert_eq!(tokens, 150, "a quarter of 600");
    }
}
