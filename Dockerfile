# convexnn: the Streamlit app in a small image. Build: docker build -t convexnn .
#                                               Run:   docker run -p 8501:8501 convexnn
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first (better layer caching). requirements.txt ends with `-e .`, which needs
# the package's metadata and source in place.
COPY requirements.txt pyproject.toml README.md ./
COPY convexnn/ ./convexnn/
RUN pip install --no-cache-dir -r requirements.txt

# The app itself (see .dockerignore for what stays out).
COPY . .

USER 10001

EXPOSE 8501

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=4).read() == b'ok' else 1)"]

CMD ["streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501", "--server.headless=true", "--browser.gatherUsageStats=false"]
