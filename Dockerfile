# The lessons as an image for Binder and Zero to JupyterHub on Kubernetes: JupyterLab with the
# rust-lessons kernel, the notebooks, and a prebuilt `lessons` that no learner compiles again.
#
# Stage 1 runs scripts/class (the kernel, the toolchain, the shared `lessons` build, JupyterLab)
# into /opt/lessons-class; stage 2 copies that directory onto a plain Debian with what cells
# need to link (gcc), for the user uid 1000 that Binder and JupyterHub expect.
#
#   docker build -t lessons-kernel .
#   docker run --rm -p 8888:8888 lessons-kernel
#
# Where no registry is reachable, scripts/image builds both base images locally and passes them
# as RUST_IMAGE and BASE.
ARG RUST_IMAGE=rust:1.95-slim-bookworm
ARG BASE=debian:bookworm-slim

FROM ${RUST_IMAGE} AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates git \
    && rm -rf /var/lib/apt/lists/*
COPY . /src/lessons
WORKDIR /src/lessons
# The downloaded .crate files stay: offline, cargo wants them to resolve a notebook's `:dep`.
RUN CARGO_TARGET_DIR=/src/target CLASS_HUB_PROXY=0 scripts/class /opt/lessons-class \
    && rm -rf /opt/lessons-class/toolchain/share/doc

FROM ${BASE}
ARG NB_USER=jovyan
ARG NB_UID=1000
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev python3 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid ${NB_UID} --shell /bin/bash ${NB_USER}
COPY --from=build /opt/lessons-class /opt/lessons-class
USER ${NB_UID}
# The learner's folder, as the class hub makes it: their notebooks beside a link to the crate
# the shared build was made from.
RUN mkdir -p /home/${NB_USER}/lessons-class \
    && cp -r /opt/lessons-class/repo/notebooks /home/${NB_USER}/lessons-class/notebooks \
    && ln -s /opt/lessons-class/repo/lessons /home/${NB_USER}/lessons-class/lessons
ENV PATH=/opt/lessons-class/venv/bin:/usr/local/bin:/usr/bin:/bin \
    JUPYTER_PATH=/opt/lessons-class/venv/share/jupyter
WORKDIR /home/${NB_USER}/lessons-class
EXPOSE 8888
CMD ["jupyter", "lab", "--ip=0.0.0.0", "--port=8888", "--no-browser"]
