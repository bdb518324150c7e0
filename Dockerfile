# One image for web, worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH="/opt/venv/bin:$PATH"

# Pango/HarfBuzz and fonts for WeasyPrint's PDF reports; gettext for compilemessages;
# pg_dump and pg_restore (15, as the db service) for backups.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext \
      postgresql-client \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN pip install --no-cache-dir "uv==0.13.9" \
 && uv sync --frozen --no-dev --python /usr/local/bin/python3

COPY . .
# collectstatic needs settings that import; these values exist only during the build.
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=build-only-key-build-only-key-build-only-key-0123 \
    DJANGO_ALLOWED_HOSTS=build DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --no-input

RUN useradd --system --uid 10001 spoorboek && mkdir -p /data/private /backups \
 && chown spoorboek /data/private /backups
USER spoorboek
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--config", "config/gunicorn.conf.py"]
