from __future__ import annotations

import functools
import queue
import shutil
import unittest.mock as mock
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from string import ascii_letters, digits
from typing import TYPE_CHECKING, Any
from unittest.mock import Mock

import requests
from hypothesis import given
from hypothesis.strategies import from_regex, text
from pytest import CaptureFixture, MonkeyPatch, fail, fixture, mark, raises

# ported: was wandb.sdk.artifacts.*
from runicorn.wandb.artifact_manifest import NAME_MAXLEN, ArtifactManifestEntry, ArtifactNotLoggedError
from runicorn.wandb.artifacts import Artifact

# ported: W&B's upload and download machinery (storage policies, step preparer, file and instance
# caches, multipart downloads, artifact states) is not provided; the tests using it are left out
# or xfail (README.md), and `responses` (HTTP mocking) is not a dependency
ResponsePrepare = StepPrepare = ArtifactFileCache = artifact_instance_cache = ArtifactState = None
make_http_session = multipart_download = should_multipart_download = WandbStoragePolicy = None


class responses:  # noqa: N801 - ported: stands for the `responses` module, for its decorator
    activate = staticmethod(lambda *args, **kwargs: lambda test: test)


if TYPE_CHECKING:
    from typing import Protocol

    from wandb.sdk.internal.internal_api import CreateArtifactFileSpecInput

    class StoreFileFixture(Protocol):
        def __call__(
            self,
            policy: WandbStoragePolicy,
            artifact_id: str,
            artifact_manifest_id: str,
            entry_path: str,
            entry_digest: str,
            entry_local_path: Path | None = None,
            preparer: StepPrepare | None = None,
        ) -> bool:
            pass


def is_cache_hit(cache: ArtifactFileCache, digest: str, size: int) -> bool:
    _, hit, _ = cache.check_md5_obj_path(digest, size)
    return hit


def singleton_queue(x):
    q = queue.Queue()
    q.put(x)
    return q


def dummy_response_prepare(spec):
    name = spec["name"]
    return ResponsePrepare(
        birth_artifact_id=f"artifact-id-{name}",
        upload_url=f"http://wandb-test/upload-url-{name}",
        upload_headers=["x-my-header-key:my-header-val"],
        upload_id=None,
        storage_path="wandb_artifact/123456789",
        multipart_upload_urls=None,
    )


def mock_prepare(spec: CreateArtifactFileSpecInput) -> ResponsePrepare:
    return singleton_queue(dummy_response_prepare(spec))


def mock_preparer(**kwargs):
    kwargs.setdefault("prepare", Mock(wraps=mock_prepare))
    return Mock(**kwargs)


def test_capped_cache():
    for i in range(101):
        art = Artifact(f"foo-{i}", type="test")
        art._id = f"foo-{i}"
        art._state = "COMMITTED"
        artifact_instance_cache[art.id] = art
    assert len(artifact_instance_cache) == 100


class TestStoreFile:
    @staticmethod
    def _fixture_kwargs_to_kwargs(
        artifact_id: str = "my-artifact-id",
        artifact_manifest_id: str = "my-artifact-manifest-id",
        entry_path: str = "my-path",
        entry_digest: str = "my-digest",
        entry_local_path: Path | None = None,
        preparer: StepPrepare | None = None,
    ) -> Mapping[str, Any]:
        if preparer is None:
            preparer = mock_preparer()
        return dict(
            artifact_id=artifact_id,
            artifact_manifest_id=artifact_manifest_id,
            entry=ArtifactManifestEntry(
                path=entry_path,
                digest=entry_digest,
                local_path=entry_local_path,
            ),
            preparer=preparer if preparer else mock_preparer(),
        )

    @staticmethod
    def _store_file(policy: WandbStoragePolicy, **kwargs) -> bool:
        """Runs store_file to completion."""
        return policy.store_file(**TestStoreFile._fixture_kwargs_to_kwargs(**kwargs))

    @fixture(params=["sync", "async"])
    def store_file_mode(self, request) -> str:
        return request.param

    @fixture
    def store_file(self) -> StoreFileFixture:
        """Fixture to run prepare and return the result.

        Example usage:

            def test_smoke(store_file: "StoreFileFixture", api):
                store_file(WandbStoragePolicy(api=api), entry_local_path=example_file)
                api.upload_file_retry.assert_called_once()
        """
        return TestStoreFile._store_file

    @fixture
    def api(self):
        """Fixture to give a mock `internal_api.Api` object, with properly-functioning upload methods."""
        upload_file_retry = Mock()
        upload_multipart_file_chunk_retry = Mock()
        complete_multipart_upload_artifact = Mock()

        return Mock(
            upload_file_retry=upload_file_retry,
            upload_multipart_file_chunk_retry=upload_multipart_file_chunk_retry,
            complete_multipart_upload_artifact=complete_multipart_upload_artifact,
        )

    def test_smoke(self, store_file: StoreFileFixture, api, example_file: Path):
        store_file(WandbStoragePolicy(api=api), entry_local_path=example_file)
        api.upload_file_retry.assert_called_once()

    def test_uploads_to_prepared_url(self, store_file: StoreFileFixture, api, example_file: Path):
        preparer = mock_preparer(
            prepare=lambda spec: singleton_queue(
                dummy_response_prepare(spec)._replace(upload_url="https://wandb-test/dst")
            )
        )
        store_file(
            WandbStoragePolicy(api=api),
            entry_local_path=example_file,
            preparer=preparer,
        )
        assert api.upload_file_retry.call_args[0][0] == "https://wandb-test/dst"

    def test_passes_prepared_headers_to_upload(self, store_file: StoreFileFixture, api, example_file: Path):
        preparer = mock_preparer(
            prepare=lambda spec: singleton_queue(
                dummy_response_prepare(spec)._replace(upload_headers=["x-my-header:my-header-val"])
            )
        )
        store_file(
            WandbStoragePolicy(api=api),
            entry_local_path=example_file,
            preparer=preparer,
        )
        assert api.upload_file_retry.call_args[1]["extra_headers"] == {"x-my-header": "my-header-val"}

    @mark.parametrize(
        ["upload_url", "expect_upload", "expect_deduped"],
        [
            ("http://wandb-test/dst", True, False),
            (None, False, True),
        ],
    )
    def test_skips_upload_if_no_prepared_url(
        self,
        store_file: StoreFileFixture,
        api,
        example_file: Path,
        upload_url: str | None,
        expect_upload: bool,
        expect_deduped: bool,
    ):
        preparer = mock_preparer(
            prepare=lambda spec: singleton_queue(dummy_response_prepare(spec)._replace(upload_url=upload_url))
        )
        policy = WandbStoragePolicy(api=api)

        deduped = store_file(policy, entry_local_path=example_file, preparer=preparer)
        assert deduped == expect_deduped

        if expect_upload:
            api.upload_file_retry.assert_called_once()
        else:
            api.upload_file_retry.assert_not_called()

    @mark.parametrize(
        ["has_local_path", "expect_upload"],
        [
            (True, True),
            (False, False),
        ],
    )
    def test_skips_upload_if_no_local_path(
        self,
        store_file: StoreFileFixture,
        api,
        example_file: Path,
        has_local_path: bool,
        expect_upload: bool,
    ):
        policy = WandbStoragePolicy(api=api)

        deduped = store_file(
            policy,
            entry_local_path=example_file if has_local_path else None,
        )
        assert not deduped

        if expect_upload:
            api.upload_file_retry.assert_called_once()
        else:
            api.upload_file_retry.assert_not_called()

    @mark.parametrize("err", [None, Exception("some error")])
    def test_caches_result_on_success(
        self,
        store_file: StoreFileFixture,
        api,
        example_file: Path,
        artifact_file_cache: ArtifactFileCache,
        err: Exception | None,
    ):
        size = example_file.stat().st_size

        api.upload_file_retry = Mock(side_effect=err)
        policy = WandbStoragePolicy(api=api, cache=artifact_file_cache)

        assert not is_cache_hit(artifact_file_cache, "my-digest", size)

        store = functools.partial(store_file, policy, entry_local_path=example_file)

        if err is None:
            store()
            assert is_cache_hit(artifact_file_cache, "my-digest", size)
        else:
            with raises(Exception, match=err.args[0]):
                store()
            assert not is_cache_hit(artifact_file_cache, "my-digest", size)

    @mark.parametrize(
        [
            "upload_url",
            "multipart_upload_urls",
            "expect_single_upload",
            "expect_multipart_upload",
            "expect_deduped",
        ],
        [
            (
                "http://wandb-test/dst",
                {
                    1: "http://wandb-test/part=1",
                    2: "http://wandb-test/part=2",
                    3: "http://wandb-test/part=3",
                },
                False,
                True,
                False,
            ),
            (
                None,
                {
                    1: "http://wandb-test/part=1",
                    2: "http://wandb-test/part=2",
                    3: "http://wandb-test/part=3",
                },
                False,
                False,
                True,
            ),  # super weird case but shouldn't happen, upload url should always be generated
            ("http://wandb-test/dst", None, True, False, False),
            (None, None, False, False, True),
        ],
    )
    @mock.patch(
        "wandb.sdk.artifacts.storage_policies.wandb_storage_policy.WandbStoragePolicy."
        "s3_multipart_file_upload"
    )
    def test_multipart_upload_handle_response(
        self,
        mock_s3_multipart_file_upload,
        api,
        example_file: Path,
        upload_url: str | None,
        multipart_upload_urls: dict | None,
        expect_multipart_upload: bool,
        expect_single_upload: bool,
        expect_deduped: bool,
    ):
        # Tests if we handle uploading correctly depending on what response we get from CreateArtifactFile.
        preparer = mock_preparer(
            prepare=lambda spec: singleton_queue(
                dummy_response_prepare(spec)._replace(
                    upload_url=upload_url, multipart_upload_urls=multipart_upload_urls
                )
            )
        )
        policy = WandbStoragePolicy(api=api)
        # Mock minimum size for multipart so that we can test multipart
        with mock.patch(
            "wandb.sdk.artifacts.storage_policies._multipart.MIN_MULTI_UPLOAD_SIZE",
            example_file.stat().st_size,
        ):
            deduped = self._store_file(policy, entry_local_path=example_file, preparer=preparer)
            assert deduped == expect_deduped

            if expect_multipart_upload:
                mock_s3_multipart_file_upload.assert_called_once()
                api.complete_multipart_upload_artifact.assert_called_once()
                api.upload_file_retry.assert_not_called()
            elif expect_single_upload:
                api.upload_file_retry.assert_called_once()
                api.upload_multipart_file_chunk_retry.assert_not_called()
            else:
                api.upload_file_retry.assert_not_called()
                api.upload_multipart_file_chunk_retry.assert_not_called()

    def test_s3_multipart_file_upload(
        self,
        api,
        example_file: Path,
    ):
        # Tests that s3 multipart calls upload on every part and retrieves the etag for every part
        multipart_parts = {
            1: "http://wandb-test/part=1",
            2: "http://wandb-test/part=2",
            3: "http://wandb-test/part=3",
        }
        hex_digests = {1: "abc1", 2: "abc2", 3: "abc3"}
        chunk_size = 1
        policy = WandbStoragePolicy(api=api)
        responses = []
        for idx in range(1, len(hex_digests) + 1):
            etag_response = requests.Response()
            etag_response.headers = {"ETag": hex_digests[idx]}
            responses.append(etag_response)
        api.upload_multipart_file_chunk_retry.side_effect = responses

        with mock.patch("builtins.open", mock.mock_open(read_data="abc")):
            etags = policy.s3_multipart_file_upload(
                example_file, chunk_size, hex_digests, multipart_parts, extra_headers={}
            )
            assert api.upload_multipart_file_chunk_retry.call_count == 3
            # Note Etags == hex_digest when there isn't an additional encryption method for uploading.
            assert len(etags) == len(hex_digests)
            for etag in etags:
                assert etag["hexMD5"] == hex_digests[etag["partNumber"]]


@mark.parametrize("invalid_type", ["job", "wandb-history", "wandb-foo"])
def test_invalid_artifact_type(invalid_type):
    with raises(ValueError, match="reserved for internal use"):
        Artifact("foo", type=invalid_type)


@given(
    invalid_name=(
        text(  # Too many characters
            alphabet={*ascii_letters, *digits, "_", "-", " "},
            min_size=NAME_MAXLEN + 1,
        )
        | from_regex(  # Contains invalid characters
            r"(\w|\d|\s)*(/)(\w|\d|\s)*",
            fullmatch=True,
        )
    )
)
def test_invalid_artifact_name(invalid_name):
    """Prevent users from instantiating an artifact with an invalid name."""
    with raises(ValueError):
        _ = Artifact(invalid_name, type="any")


@mark.parametrize(
    "property",
    [
        "entity",
        "project",
        "version",
        "source_entity",
        "source_project",
        "source_version",
        "ttl",
        "aliases",  # Perhaps shouldn't be restricted? It is today.
        "commit_hash",
        "file_count",  # Probably doesn't need to be restricted, but is today.
        "created_at",
        "updated_at",
    ],
)
def test_unlogged_artifact_property_errors(property):
    art = Artifact("foo", type="any")
    error_message = f"'Artifact.{property}' used prior to logging artifact"
    with raises(ArtifactNotLoggedError, match=error_message):
        getattr(art, property)


@mark.parametrize(
    "method",
    [
        "new_draft",
        "download",
        "checkout",
        "verify",
        "file",
        "files",
        "delete",
        "used_by",
        "logged_by",
        "json_encode",
    ],
)
def test_unlogged_artifact_basic_method_errors(method):
    art = Artifact("foo", type="any")
    error_message = f"'Artifact.{method}' used prior to logging artifact"
    with raises(ArtifactNotLoggedError, match=error_message):
        getattr(art, method)()


def test_unlogged_artifact_other_method_errors():
    art = Artifact("foo", type="any")
    with raises(ArtifactNotLoggedError, match="Artifact.get_entry"):
        art.get_entry("pathname")

    with raises(ArtifactNotLoggedError, match="Artifact.get"):
        art["obj_name"]


def test_cache_write_failure_is_ignored(monkeypatch: MonkeyPatch, capsys: CaptureFixture[str]):
    def bad_write(*args, **kwargs):
        raise FileNotFoundError("unable to copy from source file")

    monkeypatch.setattr(shutil, "copyfileobj", bad_write)
    policy = WandbStoragePolicy()
    path = Path("foo.txt")
    path.write_text("hello")

    entry = ArtifactManifestEntry(
        path=path,
        digest="NWQ0MTQwMmFiYzRiMmE3NmI5NzE5ZDkxMTAxN2M1OTI=",
        local_path=path,
    )

    policy._write_cache(entry)

    captured = capsys.readouterr()
    assert "Failed to cache" in captured.err


def test_artifact_manifest_length():
    artifact = Artifact("test-artifact", "test-type")
    assert len(artifact.manifest) == 0
    with artifact.new_file("test.txt") as f:
        f.write("test")
    assert len(artifact.manifest) == 1

    testpath = Path("test.txt")
    testpath.write_text("also a test")
    artifact.add_reference(testpath.resolve().as_uri(), "test2.txt")
    assert len(artifact.manifest) == 2


def test_new_file_accepts_nested_relative_path():
    artifact = Artifact("test-artifact", "test-type")

    with artifact.new_file("nested/test.txt", "w") as f:
        f.write("test")

    assert list(artifact.manifest.entries) == ["nested/test.txt"]
    assert artifact.manifest.entries["nested/test.txt"].size == 4


@mark.parametrize("invalid_name", ["../test.txt", "/test.txt", r"C:\test.txt"])
def test_add_file_rejects_invalid_artifact_path(tmp_path, invalid_name):
    artifact = Artifact("test-artifact", "test-type")
    local_file = tmp_path / "test.txt"
    local_file.write_text("hello")

    with raises(ValueError, match="Invalid artifact path"):
        artifact.add_file(str(local_file), name=invalid_name)


@mark.parametrize("invalid_name", ["../test.txt", "/test.txt", r"C:\test.txt"])
def test_new_file_rejects_invalid_artifact_path(invalid_name):
    artifact = Artifact("test-artifact", "test-type")

    with raises(ValueError, match="Invalid artifact path"):
        with artifact.new_file(invalid_name, "w") as f:
            f.write("test")


def test_manifest_add_entry_rejects_invalid_artifact_path():
    artifact = Artifact("test-artifact", "test-type")
    entry = ArtifactManifestEntry(path="../test.txt", digest="digest")

    with raises(ValueError, match="Invalid artifact path"):
        artifact.manifest.add_entry(entry)


def test_download_with_pathlib_root(monkeypatch):
    artifact = Artifact("test-artifact", "test-type")
    artifact._state = ArtifactState.COMMITTED
    monkeypatch.setattr(artifact, "_download", lambda *args, **kwargs: "")
    monkeypatch.setattr(artifact, "_download_using_core", lambda *args, **kwargs: "")
    custom_path = Path("some/relative/path")
    artifact.download(custom_path)
    assert len(artifact._download_roots) == 1
    root = list(artifact._download_roots)[0]
    path_parts = custom_path.parts
    assert Path(root).parts[-len(path_parts) :] == path_parts


def test_verify_rejects_invalid_artifact_path(tmp_path):
    artifact = Artifact("test-artifact", "test-type")
    artifact._state = ArtifactState.COMMITTED
    bad_entry = ArtifactManifestEntry(path="../test.txt", digest="digest")
    artifact.manifest.entries[bad_entry.path] = bad_entry

    with raises(ValueError, match="Invalid artifact path"):
        artifact.verify(root=str(tmp_path))


def test_artifact_multipart_download_threshold():
    mb = 1024 * 1024
    assert should_multipart_download(100 * mb) is False
    assert should_multipart_download(100 * mb, override=True) is True
    assert should_multipart_download(100 * mb, override=False) is False

    assert should_multipart_download(2080 * mb) is True
    assert should_multipart_download(2080 * mb, override=True) is True
    assert should_multipart_download(2080 * mb, override=False) is False

    assert should_multipart_download(5070 * mb) is True
    assert should_multipart_download(5070 * mb, override=True) is True
    assert should_multipart_download(5070 * mb, override=False) is False


@responses.activate()
def test_artifact_multipart_download_network_error():
    responses.get(
        "https://invalid.com",
        body=requests.exceptions.ConnectionError("Connection refused"),
    )

    opener = mock.mock_open()
    with raises(requests.exceptions.ConnectionError):
        with ThreadPoolExecutor(max_workers=2) as executor:
            multipart_download(
                executor,
                requests.Session(),
                4 * 1024 * 1024 * 1024,
                opener,
                initial_url="https://invalid.com",
                fetch_fn=lambda: "https://invalid.com",
            )
    opener.return_value.seek.assert_not_called()


@responses.activate()
def test_artifact_multipart_download_disk_error():
    resp = responses.get(
        "http://s3.com/file",
        body=b"test",
        status=200,
    )

    opener = mock.mock_open()
    opener.return_value.write.side_effect = OSError("I/O operation on closed file")
    with raises(OSError):
        with ThreadPoolExecutor(max_workers=2) as executor:
            multipart_download(
                executor,
                requests.Session(),
                500 * 1024 * 1024,  # 500MB should have 5 parts
                opener,
                initial_url="https://s3.com/file",
                fetch_fn=lambda: "https://s3.com/file",
            )
    # After first get call has errors, remaining get calls should return without making the call.
    # It can be 5 depending on underlying environment, e.g. it fails on windows from time to time.
    assert resp.call_count <= 5


@responses.activate()
def test_artifact_multipart_download_refresh_presigned_url():
    # S3 returns 403 when presigned url expires. Built-in retry (via make_http_session)
    # handles transient errors like 408/500 by retrying the same url, but can't help with
    # expired urls. The refresh layer handles 403 and fetches a new presigned url.
    #
    # Test flow:
    #   Request t1 (expired)
    #       │
    #       v
    #      403 ──> fetch_fn() gets new URL t2
    #                   │
    #                   v
    #             Request t2
    #                   │
    #                   v
    #                  500 ──> built-in retry
    #                              │
    #                              v
    #                        Request t2
    #                              │
    #                              v
    #                             200 ✓
    rsp1 = responses.get(
        "https://s3.com/file/t1",
        body=b"should be some 403 related error message",
        status=403,
    )
    rsp2 = responses.get(
        "https://s3.com/file/t2",
        body=b"500 retry the same url without refresh",
        status=500,
    )
    rsp3 = responses.get(
        "https://s3.com/file/t2",
        body=b"test",
        status=200,
    )

    fetch_fn = Mock(return_value="https://s3.com/file/t2")

    opener = mock.mock_open()

    with ThreadPoolExecutor(max_workers=2) as executor:
        multipart_download(
            executor,
            make_http_session(),
            100,
            opener,
            initial_url="https://s3.com/file/t1",
            fetch_fn=fetch_fn,
            part_size=100,
        )

    assert fetch_fn.call_count == 1  # fetched new url once
    assert rsp1.call_count == 1
    assert rsp2.call_count == 1
    assert rsp3.call_count == 1


@responses.activate()
def test_artifact_multipart_download_max_refresh_attempts_exceeded():
    resp = responses.get(
        "https://s3.com/file",
        body=b"test",
        status=403,
    )

    opener = mock.mock_open()

    with raises(requests.HTTPError):
        with ThreadPoolExecutor(max_workers=2) as executor:
            multipart_download(
                executor,
                make_http_session(),
                100,
                opener,
                initial_url="https://s3.com/file",
                fetch_fn=lambda: "https://s3.com/file",
                part_size=100,
            )

    assert resp.call_count == 4  # 1 initial + 3 retries


@responses.activate()
def test_artifact_multipart_download_writer_not_on_shared_executor():
    # Test to catch one source of deadlock in multipart download.
    #
    # If the writer and chunk downloader are submitted to the same executor,
    # we can get into a situation where the writer will block on q.get() and the
    # chunk downloader will never execute, causing a deadlock.
    #
    # We test this by passing an executor with 1 worker to `multipart_download`,
    # which will reliably cause the deadlock if the executor is shared.

    responses.get("https://s3.com/file", body=b"x" * 100, status=200)
    opener = mock.mock_open()

    def run_download():
        with ThreadPoolExecutor(max_workers=1) as executor:
            multipart_download(
                executor,
                requests.Session(),
                100,
                opener,
                initial_url="https://s3.com/file",
                fetch_fn=lambda: "https://s3.com/file",
                part_size=100,
            )

    future = ThreadPoolExecutor(max_workers=1).submit(run_download)
    try:
        # Add a timeout to the future to avoid hanging the test.
        future.result(timeout=5)
    except TimeoutError:
        fail("multipart_download deadlocked: writer likely sharing the chunk executor")
