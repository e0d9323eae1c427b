# convexnn: the Streamlit app in a small image. Build: docker build -t convexnn .
#                                               Run:   docker run -p 8501:8501 convexnn
# Linted in CI by `hadolint --failure-threshold warning Dockerfile` (tests/repository/test_ci_parity.py);
# tests/repository/test_docker.py builds and runs it where a Docker daemon is reachable.
FROM python:3.11-slim

# No .pyc files, unbuffered logs, no pip cache or version check; one BLAS thread per solve
# (with many sessions on a few cores, OpenBLAS threads only contend: DEVELOPERS.md).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OPENBLAS_NUM_THREADS=1 \
    OMP_NUM_THREADS=1

# An unprivileged user without a login shell; the code below stays owned by root (read-only
# for the app).
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first (better layer caching): exactly the pinned requirements.txt. It ends with
# `-e .`, which needs the package's metadata and source in place.
COPY requirements.txt pyproject.toml README.md ./
COPY convexnn/ ./convexnn/
RUN pip install --no-cache-dir -r requirements.txt

# The app itself (.dockerignore keeps tests, benchmarks, caches and git out).
COPY . .

USER 10001

EXPOSE 8501

# The server's health (Streamlit's /_stcore/health answers once app.py's server start ran: the
# package imported, the warm-up of every page's default view begun, ui/warmup.py).
# (No --start-interval: Docker before 25, e.g. Debian 12's docker.io 20.10, refuses that flag.)
HEALTHCHECK --interval=15s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=9).status == 200 else 1)"]

# .streamlit/config.toml (copied above) sets the upload limit and XSRF protection; the flags
# below make the container's own choices explicit.
CMD ["streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501", "--server.headless=true", "--server.fileWatcherType=none", "--browser.gatherUsageStats=false"]
