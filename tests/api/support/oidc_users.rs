//! The test users of the OpenID Connect provider (tests/oidc/provider.mjs): their login (the
//! subject the provider gives), name and ID number claims.

use super::fixtures::nth_person;

/// A test user of the provider.
#[derive(Debug, Clone)]
pub struct User {
    pub login: &'static str,
    pub name: String,
    pub id_number: String,
}

/// The provider's users: `alice` and `bob` with valid ID numbers, `nameless` without a name.
pub fn users() -> Vec<User> {
    vec![
        User {
            login: "alice",
            name: "张丽".into(),
            id_number: nth_person(9_101, false),
        },
        User {
            login: "bob",
            name: "李强".into(),
            id_number: nth_person(9_102, true),
        },
        User {
            login: "carol",
            name: "陈静".into(),
            id_number: nth_person(9_104, false),
        },
        User {
            login: "dave",
            name: "赵伟".into(),
            id_number: nth_person(9_105, true),
        },
        User {
            login: "frank",
            name: "孙磊".into(),
            id_number: nth_person(9_106, true),
        },
    ]
}

/// The test user signing in as `login`.
pub fn user(login: &str) -> User {
    users()
        .into_iter()
        .find(|u| u.login == login)
        .expect("a test user")
}
