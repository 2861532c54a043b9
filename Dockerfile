# markbot: long-polling Telegram bot and (with MARKBOT_WEB_PORT) the web ballot. The database lives on the /data volume and the hashing
# key on a separate /secrets volume (or mount a secret there): a copy of the database alone
# then holds nothing that a key could match.
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
    && mkdir -p /data /secrets \
    && chown markbot:markbot /data /secrets

USER markbot
# The web ballot listens on 8080 inside the container when MARKBOT_WEB_PORT=8080 is set;
# publish it only to the reverse proxy that terminates HTTPS.
ENV MARKBOT_DB=/data/markbot.db \
    MARKBOT_KEY_FILE=/secrets/markbot.key \
    MARKBOT_WEB_HOST=0.0.0.0
EXPOSE 8080
VOLUME ["/data", "/secrets"]
WORKDIR /data
ENTRYPOINT ["markbot"]
CMD ["run"]
