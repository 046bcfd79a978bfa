# Ported from wandb/wandb tests/system_tests/test_core/test_wandb_save.py at b6e29505884e;
# only the imports and the fixtures are adapted (README.md here).
import runicorn.wandb as wandb


def test_uploads_at_end(wandb_backend_spy, tmp_path):
    file = tmp_path / "my_test_dir" / "my_test_file.txt"
    file.parent.mkdir()
    file.write_text("testing testing")

    with wandb.init() as run:
        run.save(file, policy="end")

    with wandb_backend_spy.freeze() as snapshot:
        assert "my_test_dir/my_test_file.txt" in snapshot.uploaded_files(
            run_id=run.id,
        )
