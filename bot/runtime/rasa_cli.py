"""``python -m bot.runtime.rasa_cli ARGS``: the ``rasa`` command, with no outbound traffic.

Conversations are mental-health data, so the bot sends nothing anywhere on
its own. Rasa's telemetry is off through RASA_TELEMETRY_ENABLED=false, but its
crash reporter is initialised from a key bundled in the package whatever that
setting says: here it is disabled before Rasa's command line starts. Every
``${VAR}`` in endpoints.yml and credentials.yml is also given its default,
so the files work unchanged on a fresh machine.

More for ``rasa run``: RASA_WORKERS becomes Rasa's own SANIC_WORKERS (one
setting for every way the server is started); ``bot.runtime.patches`` takes
measured costs off the per-message hot path (and, with several workers,
gives each its own socket); Sanic refuses bodies over
``bot.channels.guard.REQUEST_MAX_BYTES`` before reading them (its own default
is 100 MB); and with RASA_API_ENABLED the API's token is added to Rasa's
arguments here, inside the process, so it never appears on a command line
(``ps`` shows every process's command line to every user).
"""

from __future__ import annotations

import os
import signal
import sys


def disable_outbound() -> None:
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"
    os.environ.pop("RASA_EXCEPTION_WRITE_KEY", None)
    import rasa.telemetry

    rasa.telemetry.initialize_error_reporting = lambda: None  # type: ignore[assignment]


def workers_die_with_the_server() -> None:
    """Every process the Rasa server forks (its Sanic workers) is killed when the server process dies.

    The workers share the server's port. Without this, a server killed hard
    (OOM killer, SIGKILL, a supervisor's timeout) leaves them running and
    answering with nobody to stop them; and a worker that receives a stop
    signal while still loading its model only passes it on to its siblings
    (the handler Sanic installed in the parent before forking).
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getpid()
    pr_set_pdeathsig = 1

    def in_child() -> None:
        libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL))
        if os.getppid() != parent:  # the server died between the fork and the line above
            os._exit(1)
        # Until Sanic installs its own handler (after the model has loaded), a
        # worker would run the parent's handler, which only signals the other
        # workers: a stop during start-up would leave it loading, then serving.
        # Stopped then, it simply ends. Ctrl-C reaches the parent, which stops
        # the workers itself.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    os.register_at_fork(after_in_child=in_child)


def one_math_thread_per_worker() -> None:
    """NumPy's OpenBLAS (and any OpenMP/MKL build) uses one thread per process unless set otherwise.

    The server already runs one worker per core. OpenBLAS starts a thread per
    core in every worker and keeps them spinning after each call, for work a
    single message's dot products never need: measured with one visitor, the
    busy-waiting took 0.8 of a core beside the worker that did the work.
    Must run before NumPy is first imported; an explicit setting still wins.
    """
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")


def no_message_text_in_slash_warnings() -> None:
    """Rasa warns, with the whole line, about every message that starts with "/" and names no known intent.

    That line is what the visitor typed ("/i need help"), written to the log
    at WARNING; and every topic button ("/faq/<id>", a retrieval intent the
    check does not know) printed the domain's whole intent list, under load
    thousands of times a minute. The message is still understood as text.
    """
    import warnings

    warnings.filterwarnings("ignore", message=r"Failed to parse arguments in line", category=UserWarning)


def warnings_as_configured() -> None:
    """The interpreter's own warning options (``-W``, ``PYTHONWARNINGS``) win over Sanic's.

    Importing ``sanic.app`` puts a "once" filter for every DeprecationWarning
    in front of them, so the Makefile's ``ignore::DeprecationWarning`` stopped
    working and every command printed pages of other libraries' notices.
    Sanic is imported here first, then the options are put back in front.
    """
    import warnings

    import sanic.app  # noqa: F401 - for its import-time filter

    warnings._processoptions(sys.warnoptions)  # type: ignore[attr-defined]


def main() -> None:
    if sys.argv[1:2] == ["run"]:  # training keeps every thread: it is one process doing large matrix work
        one_math_thread_per_worker()
    warnings_as_configured()
    from bot.core.settings import export_defaults, settings_or_exit

    settings = settings_or_exit()
    from bot.core.versions import require_tested

    require_tested()  # before any of Rasa's or Sanic's internals is replaced
    export_defaults()
    disable_outbound()
    args = sys.argv[1:]
    if args[:2] == ["run", "actions"]:  # imports no Rasa core (nor TensorFlow)
        # rasa-sdk listens where SANIC_HOST says (its default is every interface), and has no authentication.
        os.environ["SANIC_HOST"] = settings.action_host
    else:
        if args[:1] == ["run"]:
            from bot.channels.guard import REQUEST_MAX_BYTES

            os.environ["SANIC_WORKERS"] = str(settings.rasa_workers)
            os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(REQUEST_MAX_BYTES))
            if settings.rasa_api_enabled and "--enable-api" not in args:
                args += ["--enable-api", "--auth-token", settings.rasa_api_token]
            workers_die_with_the_server()
            if settings.event_loop == "asyncio":
                from bot.runtime.patches import asyncio_event_loop

                asyncio_event_loop()
            if settings.rasa_workers > 1:
                from bot.runtime.patches import balance_workers

                balance_workers()
        from bot.runtime.patches import apply

        apply()
    import rasa.__main__ as rasa_entry

    stock_configure = rasa_entry.configure_logging_and_warnings

    def configure(*given: object, **named: object) -> None:
        stock_configure(*given, **named)  # type: ignore[arg-type]
        no_message_text_in_slash_warnings()  # after Rasa's own "once" filter, which would shadow it

    rasa_entry.configure_logging_and_warnings = configure  # type: ignore[assignment]
    sys.argv = ["rasa", *args]
    rasa_entry.main()


if __name__ == "__main__":
    main()
