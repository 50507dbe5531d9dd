# The Parcours service in production mode. No secret is baked in: keys and database URLs are
# mounted as files at run time (see docker-compose.yml and README "Run the production stack").

FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p parcours-api \
    && install -D target/release/parcours /out/parcours

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /var/lib/parcours --create-home --uid 10001 parcours
COPY --from=build /out/parcours /usr/local/bin/parcours
USER parcours
ENV PARCOURS_ENV=production \
    PARCOURS_LISTEN=0.0.0.0:8080 \
    PARCOURS_DATA_DIR=/var/lib/parcours \
    PARCOURS_LOG=info,sqlx=warn
VOLUME ["/var/lib/parcours"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=6s --start-period=20s --retries=3 \
    CMD ["/usr/local/bin/parcours", "probe"]
ENTRYPOINT ["/usr/local/bin/parcours"]
CMD ["serve"]
