# Container image of the bot: built with uv, run as a non-root user, no dev tools inside.
#   docker build -t thidua .
#   docker compose up -d          (with PostgreSQL, see compose.yaml)
# Schema migrations run at start when AUTO_MIGRATE=true (default here); with
# AUTO_MIGRATE=false run `docker compose run --rm bot thidua migrate` before starting.

FROM python:3.11-slim AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never PIP_NO_CACHE_DIR=1
RUN pip install uv
WORKDIR /app
# Dependencies first (cached while only the code changes), then the project itself,
# installed as a wheel (not editable) without the dev group.
COPY pyproject.toml uv.lock README.md LICENSE ./
RUN uv sync --locked --no-dev --no-install-project
COPY bot ./bot
COPY handlers ./handlers
COPY content ./content
COPY storage ./storage
RUN uv sync --locked --no-dev --no-editable

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /srv/thidua --create-home thidua \
    && mkdir -p /srv/thidua/data /srv/thidua/backups \
    && chown -R thidua:thidua /srv/thidua
# The virtual environment keeps its path, so its scripts' interpreter lines stay valid.
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    BOT_TZ=Asia/Ho_Chi_Minh \
    AUTO_MIGRATE=true \
    DATABASE_URL=sqlite+aiosqlite:////srv/thidua/data/thidua.db \
    WEBHOOK_HOST=0.0.0.0 \
    HEALTH_HOST=0.0.0.0
USER thidua
WORKDIR /srv/thidua
VOLUME ["/srv/thidua/data", "/srv/thidua/backups"]
EXPOSE 8080 8090
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8090/healthz', timeout=4)"
CMD ["thidua", "run"]
