//! The S3 vault: packs are objects in a bucket of AWS or any S3-compatible server, through the
//! `object_store` crate. Credentials come only from the environment (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, …), never from `sharing.toml`.
//!
//! `object_store` is async; each call runs on a small current-thread Tokio runtime, since the
//! rest of core is synchronous.

use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjPath;

use super::{Backend, VaultPack};

pub(super) struct S3Vault {
    pub bucket: String,
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub prefix: Option<String>,
}

impl S3Vault {
    fn store(&self) -> Result<object_store::aws::AmazonS3, String> {
        let mut b = AmazonS3Builder::from_env().with_bucket_name(&self.bucket);
        if let Some(r) = &self.region {
            b = b.with_region(r);
        } else if std::env::var_os("AWS_REGION").is_none()
            && std::env::var_os("AWS_DEFAULT_REGION").is_none()
        {
            b = b.with_region("us-east-1");
        }
        if let Some(e) = &self.endpoint {
            b = b
                .with_endpoint(e)
                .with_allow_http(e.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        b.build().map_err(|e| e.to_string())
    }

    fn key(&self, name: &str) -> ObjPath {
        match &self.prefix {
            Some(p) => ObjPath::from(format!("{}/{name}", p.trim_matches('/'))),
            None => ObjPath::from(name),
        }
    }

    fn run<T>(&self, f: impl std::future::Future<Output = Result<T, String>>) -> Result<T, String> {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?
            .block_on(f)
    }
}

fn msg(e: object_store::Error) -> String {
    // object_store errors can be long; the first line carries the cause.
    let s = e.to_string();
    s.lines().next().unwrap_or("").to_string()
}

impl Backend for S3Vault {
    fn put(&self, name: &str, bytes: &[u8]) -> Result<(), String> {
        let store = self.store()?;
        let key = self.key(name);
        let payload = object_store::PutPayload::from(bytes.to_vec());
        self.run(async move { store.put(&key, payload).await.map(|_| ()).map_err(msg) })
    }

    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, String> {
        let store = self.store()?;
        let key = self.key(name);
        self.run(async move {
            match store.get(&key).await {
                Ok(r) => Ok(Some(r.bytes().await.map_err(msg)?.to_vec())),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(msg(e)),
            }
        })
    }

    fn list(&self) -> Result<Vec<VaultPack>, String> {
        let store = self.store()?;
        let prefix = self
            .prefix
            .as_ref()
            .map(|p| ObjPath::from(p.trim_matches('/')));
        self.run(async move {
            let r = store
                .list_with_delimiter(prefix.as_ref())
                .await
                .map_err(msg)?;
            Ok(r.objects
                .into_iter()
                .filter_map(|o| {
                    Some(VaultPack {
                        name: o.location.filename()?.to_string(),
                        bytes: o.size,
                    })
                })
                .collect())
        })
    }

    fn delete(&self, name: &str) -> Result<bool, String> {
        let store = self.store()?;
        let key = self.key(name);
        self.run(async move { store.delete(&key).await.map(|_| true).map_err(msg) })
    }
}
