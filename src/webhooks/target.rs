//! Where messages may go. A target is an `https` URL on a public address; a host on the
//! allow-list (`VOORTGANG_WEBHOOK_HOSTS`, since an intranet receiver usually has a private
//! address) may also be `http` and private. The address is checked when the connection is
//! made, on every attempt, so a name that later resolves to a private address (DNS
//! rebinding) is refused too.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;

use url::{Host, Url};

/// The hosts that may be reached over `http` and on private addresses, lowercase.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedHosts(Vec<String>);

impl AllowedHosts {
    pub fn new(hosts: impl IntoIterator<Item = String>) -> Self {
        Self(hosts.into_iter().map(|h| h.to_ascii_lowercase()).collect())
    }

    fn contains(&self, host: &str) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        self.0
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(host))
    }

    /// The target `url`, if it may be subscribed; else why not, for the 422.
    pub fn check(&self, url: &str) -> Result<Url, String> {
        let parsed = Url::parse(url).map_err(|e| format!("is not a URL: {e}"))?;
        let host = match parsed.host() {
            Some(host) => host,
            None => return Err("has no host".into()),
        };
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err("must not hold credentials: receivers verify the signature".into());
        }
        if parsed.fragment().is_some() {
            return Err("must not have a fragment".into());
        }
        let name = parsed.host_str().unwrap_or_default();
        let allowed = self.contains(name);
        match parsed.scheme() {
            "https" => {}
            "http" if allowed => {}
            "http" => {
                return Err(format!(
                    "must be https: `{name}` is not on the allow-list (VOORTGANG_WEBHOOK_HOSTS)"
                ))
            }
            other => return Err(format!("must be https, not `{other}`")),
        }
        let literal = match host {
            Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
            Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
            Host::Domain(domain) => domain
                .eq_ignore_ascii_case("localhost")
                .then_some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        };
        if let Some(ip) = literal.filter(|ip| !allowed && !is_public(*ip)) {
            return Err(format!(
                "is a private, loopback or link-local address ({ip}), which only a host on the allow-list (VOORTGANG_WEBHOOK_HOSTS) may be"
            ));
        }
        Ok(parsed)
    }

    /// Resolves `host:port` for a connection, keeping only the addresses that may be
    /// reached: every address of an allowed host, the public ones of any other.
    pub fn resolve(&self, netloc: &str) -> io::Result<Vec<SocketAddr>> {
        let host = netloc.rsplit_once(':').map_or(netloc, |(host, _)| host);
        let addresses: Vec<SocketAddr> = netloc.to_socket_addrs()?.collect();
        if self.contains(host) {
            return Ok(addresses);
        }
        let public: Vec<SocketAddr> = addresses
            .iter()
            .copied()
            .filter(|a| is_public(a.ip()))
            .collect();
        if public.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "`{host}` resolves only to private, loopback or link-local addresses, which only a host on the allow-list (VOORTGANG_WEBHOOK_HOSTS) may reach"
                ),
            ));
        }
        Ok(public)
    }
}

/// The resolver of the delivery agent: [`AllowedHosts::resolve`].
pub struct Guard(pub Arc<AllowedHosts>);

impl ureq::Resolver for Guard {
    fn resolve(&self, netloc: &str) -> io::Result<Vec<SocketAddr>> {
        self.0.resolve(netloc)
    }
}

/// Whether `ip` is a public unicast address (not private, loopback, link-local, shared,
/// documentation, benchmarking, multicast or reserved).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (carrier-grade NAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || (first & 0xffc0) == 0xfec0 // site-local (deprecated)
        || (first == 0x2001 && ip.segments()[1] == 0x0db8) // documentation
        || ip.segments()[..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_not_public() {
        for ip in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "127.0.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["193.191.245.10", "8.8.8.8", "2a02:1800::1"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn only_allowed_hosts_may_be_http_or_private() {
        let none = AllowedHosts::default();
        assert!(none.check("https://intranet.mechelen.be/hooks").is_ok());
        assert!(none.check("http://intranet.mechelen.be/hooks").is_err());
        assert!(none.check("https://127.0.0.1/hooks").is_err());
        assert!(none.check("https://[::1]/hooks").is_err());
        assert!(none.check("https://localhost:8443/hooks").is_err());
        assert!(none.check("https://10.0.0.8/hooks").is_err());
        assert!(none.check("ftp://intranet.mechelen.be/").is_err());
        assert!(none.check("https://user:pw@intranet.mechelen.be/").is_err());
        let some = AllowedHosts::new(["127.0.0.1".to_string(), "Intranet.local".to_string()]);
        assert!(some.check("http://127.0.0.1:9000/hooks").is_ok());
        assert!(some.check("http://intranet.local/hooks").is_ok());
        assert!(some.check("http://10.0.0.8/hooks").is_err());
    }

    #[test]
    fn a_name_of_a_private_address_is_refused_at_connection_time() {
        let none = AllowedHosts::default();
        let refused = none.resolve("localhost:80").unwrap_err();
        assert_eq!(refused.kind(), io::ErrorKind::PermissionDenied);
        let some = AllowedHosts::new(["localhost".to_string()]);
        assert!(!some.resolve("localhost:80").unwrap().is_empty());
    }
}
