# Build stage: compiles the release binary against libpq.
FROM rust:1-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY migrations migrations
COPY src src
RUN cargo build --release --locked --bin voortgang

# Run stage: the binary, libpq and nothing else.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home voortgang
COPY --from=build /src/target/release/voortgang /usr/local/bin/voortgang
USER voortgang
ENV VOORTGANG_LISTEN=0.0.0.0:8080 \
    RUST_LOG=info
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["voortgang"]
CMD ["serve"]
