//! `arbitrary::Arbitrary` for fuzzing: structurally valid URIs and paths.

use alloc::string::String;
use alloc::vec::Vec;
use core::net::{Ipv4Addr, Ipv6Addr};

use arbitrary::{Arbitrary, Result, Unstructured};

use crate::{Host, Path, Scheme, Transport, Uri};

fn word(u: &mut Unstructured<'_>, alphabet: &[u8], min: usize, max: usize) -> Result<String> {
    let len = u.int_in_range(min..=max)?;
    let mut s = String::with_capacity(len);
    for _ in 0..len {
        s.push(char::from(*u.choose(alphabet)?));
    }
    Ok(s)
}

const HOST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.";
const SESSION: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~+=/";
const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const TOKEN: &[u8] =
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~";

impl<'a> Arbitrary<'a> for Uri {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Uri> {
        let scheme = if u.arbitrary()? {
            Scheme::Msrps
        } else {
            Scheme::Msrp
        };
        let reg_name = word(u, HOST, 1, 40)?;
        let future = alloc::format!("v{:x}.{}", u.int_in_range(1u8..=15)?, word(u, ALNUM, 1, 8)?);
        let host = match u.int_in_range(0u8..=3)? {
            0 => Host::Ipv4(Ipv4Addr::from(u.arbitrary::<u32>()?)),
            1 => Host::Ipv6(Ipv6Addr::from(u.arbitrary::<u128>()?)),
            2 => Host::IpvFuture(&future),
            _ => Host::RegName(&reg_name),
        };
        let userinfo = word(u, ALNUM, 1, 12)?;
        let session = word(u, SESSION, 1, 32)?;
        let transport = word(u, ALNUM, 1, 6)?;
        let params: Vec<(String, Option<String>)> = (0..u.int_in_range(0..=3)?)
            .map(|_| {
                let name = word(u, TOKEN, 1, 8)?;
                let value = if u.arbitrary()? {
                    Some(word(u, TOKEN, 1, 8)?)
                } else {
                    None
                };
                Ok((name, value))
            })
            .collect::<Result<_>>()?;
        let mut b = Uri::builder(scheme, host).transport(Transport::from_token(&transport));
        if u.arbitrary()? {
            b = b.userinfo(&userinfo);
        }
        if host.is_numeric() || u.arbitrary()? {
            b = b.port(u.arbitrary()?);
        }
        if u.arbitrary()? {
            b = b.session_id(&session);
        }
        for (name, value) in &params {
            b = b.param(name, value.as_deref());
        }
        // A reg-name made only of digits and dots can read as an IPv4 address without port.
        b.build()
            .or_else(|_| b.clone().port(2855).build())
            .map_err(|_| arbitrary::Error::IncorrectFormat)
    }
}

impl<'a> Arbitrary<'a> for Path {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Path> {
        let n = u.int_in_range(1..=4)?;
        (0..n).map(|_| Uri::arbitrary(u)).collect()
    }
}
