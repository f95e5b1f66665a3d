# kopsehat: slim image, non-root, health check on /healthz.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    KOPSEHAT_HTTP_HOST=0.0.0.0 KOPSEHAT_HTTP_PORT=8080 \
    KOPSEHAT_DATABASE_URL=sqlite+aiosqlite:////data/kopsehat.db

WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN pip install -c constraints.txt . && useradd --create-home --uid 10001 kopsehat && mkdir /data && chown kopsehat /data

USER kopsehat
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status == 200 else 1)"
CMD ["kopsehat", "run"]
