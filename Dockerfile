# Production image: the onetable binary on a slim base. libpq and SQLite are compiled in.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release -p onetable-cli

FROM debian:bookworm-slim
RUN useradd --system --home /var/lib/onetable onetable && mkdir -p /var/lib/onetable && chown onetable /var/lib/onetable
COPY --from=build /src/target/release/onetable /usr/local/bin/onetable
USER onetable
WORKDIR /var/lib/onetable
ENV ONETABLE_BIND=0.0.0.0:8080 ONETABLE_DATA_DIR=/var/lib/onetable
EXPOSE 8080
ENTRYPOINT ["onetable"]
CMD ["serve"]
