"""A backup of the production profile's PostgreSQL database and S3 bucket, restored into a fresh
database and a fresh bucket with the commands the operator's guide gives (as the database owner
role, not a superuser), holds the same rows, the same file bytes and an intact audit chain; a
damaged backup or a non-empty target is refused."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from moto.server import ThreadedMotoServer

from motcua.core.testing import PRODUCTION_SAFE_ENV
from motcua.dossiers.models import Dossier

ROOT = Path(__file__).resolve().parents[3]
SOURCE_BUCKET = "motcua-source"
RESTORED_BUCKET = "motcua-restored"
OWNER = f"restore_owner_{os.getpid()}"
KEYS = {"S3_ACCESS_KEY_ID": "test", "S3_SECRET_ACCESS_KEY": "test-secret"}  # moto accepts any

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the commands run in other processes: data must be committed
    pytest.mark.skipif(
        not os.environ.get("MOTCUA_TEST_POSTGRES_HOST"), reason="pg_dump needs the PostgreSQL test server"
    ),
]


@pytest.fixture
def s3(settings: Any) -> Iterator[tuple[str, Any]]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["S3_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=SOURCE_BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": SOURCE_BUCKET,
                "endpoint_url": endpoint,
                "access_key": KEYS["S3_ACCESS_KEY_ID"],
                "secret_key": KEYS["S3_SECRET_ACCESS_KEY"],
                "region_name": "us-east-1",
                "addressing_style": "path",
                "signature_version": "s3v4",
                "default_acl": None,
                "file_overwrite": False,
            },
        },
    }
    yield endpoint, client
    server.stop()


@pytest.fixture
def empty_databases() -> Iterator[list[str]]:
    """Empty databases owned by an ordinary role, as the guide creates them."""
    names = [f"restored_{os.getpid()}_{n}" for n in range(2)]
    with _server() as admin:
        admin.execute(f'CREATE ROLE "{OWNER}" LOGIN')
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}" OWNER "{OWNER}"')
    yield names
    with _server() as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'DROP ROLE IF EXISTS "{OWNER}"')


def test_backup_restores_rows_files_and_audit_chain(
    s3: tuple[str, Any], empty_databases: list[str], tmp_path: Path
) -> None:
    endpoint, client = s3
    call_command("load_demo")  # the demo province with sample dossiers, their PDFs in the bucket
    assert Dossier.objects.filter(result_document__isnull=False).exists()
    source_db = connection.settings_dict["NAME"]
    backup = tmp_path / "backup"

    made = _manage("backup", str(backup), database=source_db, bucket=SOURCE_BUCKET, endpoint=endpoint)
    assert made.returncode == 0, made.stderr
    restored_db, damaged_db = empty_databases
    restored = _manage(
        "restore", str(backup), database=restored_db, bucket=RESTORED_BUCKET, endpoint=endpoint, user=OWNER
    )
    assert restored.returncode == 0, restored.stderr

    assert _row_counts(restored_db) == _row_counts(source_db)
    with _server(restored_db) as db:
        owners = {row[0] for row in db.execute("SELECT tableowner FROM pg_tables WHERE schemaname = 'public'")}
    assert owners == {OWNER}, "the restored tables belong to the role that restored them"
    assert sum(_row_counts(restored_db).values()) > 1000
    assert _objects(client, RESTORED_BUCKET) == _objects(client, SOURCE_BUCKET)
    result_key = Dossier.objects.filter(result_document__isnull=False).first().result_document.file.name
    restored_pdf = client.get_object(Bucket=RESTORED_BUCKET, Key=result_key)
    assert restored_pdf["Body"].read() == client.get_object(Bucket=SOURCE_BUCKET, Key=result_key)["Body"].read()
    assert restored_pdf["ContentType"] == "application/pdf"
    verified = _manage("audit_verify", database=restored_db, bucket=RESTORED_BUCKET, endpoint=endpoint)
    assert verified.returncode == 0, verified.stderr
    assert "intact" in verified.stdout

    again = _manage("restore", str(backup), database=restored_db, bucket="motcua-other", endpoint=endpoint, user=OWNER)
    assert again.returncode != 0
    assert "already has tables" in again.stderr

    (backup / "objects" / result_key).write_bytes(b"%PDF-1.7 tampered")
    damaged = _manage(
        "restore", str(backup), database=damaged_db, bucket="motcua-damaged", endpoint=endpoint, user=OWNER
    )
    assert damaged.returncode != 0
    assert "damaged" in damaged.stderr
    assert _row_counts(damaged_db) == {}, "nothing is restored from a damaged backup"


def _manage(
    *args: str, database: str, bucket: str, endpoint: str, user: str = "postgres"
) -> subprocess.CompletedProcess[str]:
    """Run a command on the production profile, configured as the operator's guide says."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "POSTGRES_", "S3_", "MOTCUA_"))}
    env = {
        **clean,
        "DJANGO_SETTINGS_MODULE": "motcua.conf.production",
        **PRODUCTION_SAFE_ENV,
        "MOTCUA_ALLOW_DEMO_PLUGINS": "true",
        "POSTGRES_DB": database,
        "POSTGRES_USER": user,
        "POSTGRES_HOST": os.environ["MOTCUA_TEST_POSTGRES_HOST"],
        "POSTGRES_PORT": os.environ.get("MOTCUA_TEST_POSTGRES_PORT", "5432"),
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": endpoint,
        **KEYS,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _server(database: str = "postgres") -> psycopg.Connection:
    return psycopg.connect(
        host=os.environ["MOTCUA_TEST_POSTGRES_HOST"],
        port=os.environ.get("MOTCUA_TEST_POSTGRES_PORT", "5432"),
        user="postgres",
        dbname=database,
        autocommit=True,
    )


def _row_counts(database: str) -> dict[str, int]:
    with _server(database) as db:
        tables = [row[0] for row in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}


def _objects(client: Any, bucket: str) -> dict[str, str]:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return {item["Key"]: item["ETag"] for page in pages for item in page.get("Contents", [])}
