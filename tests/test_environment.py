"""The environment variables the project reads: each bad value is refused in one line that names it."""

import os
from pathlib import Path

import pytest

from mnist_tutorial import device, environment, input_data, paths, sweeps
from mnist_tutorial.commands import sweep as sweep_command


def _one_line(error):
    message = str(error.value)
    assert "\n" not in message, message
    return message


@pytest.mark.parametrize("variable", [paths.OUTPUT_DIR_VARIABLE, paths.DATA_DIR_VARIABLE])
def test_a_relative_folder_is_refused_since_a_kernel_and_a_command_would_read_it_from_two_places(variable, monkeypatch):
    monkeypatch.setenv(variable, "outputs")
    read = paths.output_dir if variable == paths.OUTPUT_DIR_VARIABLE else paths.default_data_dir
    with pytest.raises(environment.EnvironmentVariableError) as error:
        read()
    message = _one_line(error)
    assert message.startswith(f"{variable} is 'outputs', a relative path")
    assert message.endswith(f"set it to an absolute path, such as {Path.cwd() / 'outputs'}.")


def test_a_relative_data_folder_stops_the_load_before_anything_is_downloaded(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(paths.DATA_DIR_VARIABLE, "MNIST_data")
    with pytest.raises(environment.EnvironmentVariableError, match="MNIST_DATA_DIR is 'MNIST_data', a relative"):
        input_data.read_data_sets(source_url="http://127.0.0.1:9/")
    assert list(tmp_path.iterdir()) == []


def test_absolute_folders_and_the_home_folder_are_taken_and_empty_means_the_default(monkeypatch, tmp_path):
    monkeypatch.setenv(paths.OUTPUT_DIR_VARIABLE, str(tmp_path))
    assert paths.output_dir() == tmp_path
    monkeypatch.setenv(paths.OUTPUT_DIR_VARIABLE, "~/mnist-outputs")
    assert paths.output_dir() == Path.home() / "mnist-outputs"
    monkeypatch.setenv(paths.OUTPUT_DIR_VARIABLE, "")
    assert paths.output_dir() == paths.REPO_ROOT
    monkeypatch.delenv(paths.DATA_DIR_VARIABLE, raising=False)
    assert paths.default_data_dir() == paths.REPO_ROOT / "mnist_data"


@pytest.mark.parametrize("value", ["-3", "0", "100000", "abc", "2.5", " ", "\u0663"])
def test_a_bad_number_of_threads_is_refused_before_tensorflow_sees_it(value, monkeypatch):
    """-3 killed the kernel in a TensorFlow check, 100000 hung the session, "abc" and "2.5" gave bare int() errors."""
    monkeypatch.setenv(device.THREADS_VARIABLE, value)
    with pytest.raises(environment.EnvironmentVariableError) as error:
        device.session_config()
    cores = os.cpu_count() or 1
    assert _one_line(error).startswith(
        f"MNIST_TUTORIAL_THREADS must be a whole number of threads from 1 to {cores:,} (this machine's cores), "
        f"or unset, not {value!r}"
    )


def test_a_good_number_of_threads_is_given_to_tensorflow(monkeypatch):
    monkeypatch.setenv(device.THREADS_VARIABLE, "1")
    config = device.session_config()
    assert config.intra_op_parallelism_threads == config.inter_op_parallelism_threads == 1
    monkeypatch.delenv(device.THREADS_VARIABLE)
    assert device.session_config().intra_op_parallelism_threads == 0, "unset: TensorFlow's own choice"


@pytest.mark.parametrize(
    "value, problem",
    [
        ("inproc://192.0.2.2/1234/1", "a sweep reaches its scheduler over tcp://, not inproc://"),
        ("tls://10.0.0.5:8786", "a sweep reaches its scheduler over tcp://, not tls://"),
        ("tcp://10.0.0.5", "it must be 'local' or a Dask scheduler's address with its port"),
        ("tcp://10.0.0.5:http", "it must be 'local' or a Dask scheduler's address with its port"),
        ("10.0.0.5:99999", "it must be 'local' or a Dask scheduler's address with its port"),
    ],
)
def test_a_scheduler_the_sweep_cannot_reach_is_refused_in_one_line(value, problem, monkeypatch, capsys):
    """inproc:// and tls:// addresses ended the sweep in a 46-line traceback."""
    monkeypatch.setenv(sweeps.SCHEDULER_VARIABLE, value)
    with pytest.raises(environment.EnvironmentVariableError) as error:
        sweeps.Sweep("01")
    assert _one_line(error).startswith(f"MNIST_TUTORIAL_SCHEDULER is {value!r}: {problem}")
    with pytest.raises(SystemExit) as exit:
        sweep_command.main(["01"])
    assert exit.value.code == 2
    stderr = capsys.readouterr().err
    assert stderr.startswith(f"sweep: MNIST_TUTORIAL_SCHEDULER is {value!r}: {problem}") and stderr.count("\n") == 1
    monkeypatch.delenv(sweeps.SCHEDULER_VARIABLE)
    with pytest.raises(SystemExit) as exit:
        sweep_command.main(["01", "--scheduler", value])
    assert exit.value.code == 2
    stderr = capsys.readouterr().err
    assert stderr.startswith(f"sweep: --scheduler is {value!r}: {problem}") and stderr.count("\n") == 1


def test_a_scheduler_address_without_its_protocol_is_taken_as_tcp(monkeypatch):
    monkeypatch.setenv(sweeps.SCHEDULER_VARIABLE, "10.0.0.5:8786")
    assert sweeps.Sweep("01").scheduler == "tcp://10.0.0.5:8786"
    monkeypatch.setenv(sweeps.SCHEDULER_VARIABLE, " LOCAL ")
    assert sweeps.Sweep("01").scheduler is None
