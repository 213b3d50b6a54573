# syntax=docker/dockerfile:1
# A small image of the daemon: `docker build -t briefing .`, then
#
#   docker run -d --name briefing -v briefing:/var/lib/briefing \
#       --env-file /etc/briefing/secrets.env briefing
#
# The first build compiles every dependency (a few minutes); a rebuild after a change
# to the code alone reuses the dependency layer's cache mount.

# The builder: the crate's rust-version, the Debian release of the runtime below (so
# the binary's glibc is the runtime's).
FROM rust:1.89-bookworm AS build
WORKDIR /src
COPY . .
# --locked: exactly the versions of Cargo.lock, as on the machine the tests ran on;
# install -s strips the symbols (17 MB -> 13.5 MB).
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin briefing \
    && install -s -m 755 target/release/briefing /usr/local/bin/briefing

FROM debian:bookworm-slim
# ca-certificates for a relay or dump server whose certificate chains to the system's
# roots (smtp.ca_file may point there); tzdata for the zone names other tools read
# (briefing carries its own time-zone table).
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /var/lib/briefing --shell /usr/sbin/nologin briefing
COPY --from=build /usr/local/bin/briefing /usr/local/bin/briefing
# The state volume: the ledger, the suppression list, the outbox, and (on first use
# of a new volume) the example config with the sample dump, so that a bare `docker
# run` sends the sample to the outbox. Put your config.toml here, or mount one and
# point BRIEFING_CONFIG at it.
WORKDIR /var/lib/briefing
COPY --chown=briefing:briefing config.toml ./
COPY --chown=briefing:briefing samples/ ./samples/
RUN chown briefing:briefing /var/lib/briefing \
    && su briefing -s /bin/sh -c 'briefing check' >/dev/null
USER briefing
VOLUME /var/lib/briefing
ENV BRIEFING_CONFIG=/var/lib/briefing/config.toml
# `run --listen 0.0.0.0:8025` needs `[web] allow_remote = true`: inside a container
# loopback is the container's own. Publish it to the host's loopback only
# (`-p 127.0.0.1:8025:8025`) and put the reverse proxy in front.
EXPOSE 8025
# SIGTERM (docker stop) finishes the messages in flight; allow it `--stop-timeout 60`.
ENTRYPOINT ["briefing"]
CMD ["run"]
