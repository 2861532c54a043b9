# markbot: long-polling Telegram bot. The database and the hashing key live on /data;
# mount the key from a secret store instead if you can (MARKBOT_KEY_FILE).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY services ./services
COPY storage ./storage
COPY prompts ./prompts
COPY standin ./standin
RUN pip install . \
    && useradd --create-home --uid 10001 markbot \
    && mkdir -p /data \
    && chown markbot:markbot /data

USER markbot
ENV MARKBOT_DB=/data/markbot.db \
    MARKBOT_KEY_FILE=/data/markbot.key
VOLUME ["/data"]
WORKDIR /data
ENTRYPOINT ["markbot"]
CMD ["run"]
