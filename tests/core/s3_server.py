"""A real S3-compatible server on loopback for the upload tests: moto's server mode, in a
thread of the test process, started by the fixture and stopped after the module."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

ADMIN_KEY_ID = "testing-admin"
ADMIN_SECRET = "testing-admin-secret-key"


@dataclass(frozen=True)
class S3Server:
    endpoint: str

    def client(self, key_id: str = ADMIN_KEY_ID, secret: str = ADMIN_SECRET,
               service: str = "s3") -> object:
        import boto3

        return boto3.session.Session(
            aws_access_key_id=key_id, aws_secret_access_key=secret,
            region_name="us-east-1").client(service, endpoint_url=self.endpoint)

    def new_bucket(self, *, versioned: bool = False) -> str:
        """A fresh bucket (versioned: every PUT of a key leaves a version to count)."""
        name = f"b-{uuid.uuid4().hex[:20]}"
        s3 = self.client()
        s3.create_bucket(Bucket=name)  # type: ignore[attr-defined]
        if versioned:
            s3.put_bucket_versioning(  # type: ignore[attr-defined]
                Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        return name


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield S3Server(f"http://{host}:{port}")
    finally:
        server.stop()
