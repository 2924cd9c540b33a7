# bolmo4j workbench: JDK 17, Maven, Debian's Jupyter, the bolmo4j Java kernel and the teaching notebooks.
#   docker build -t bolmo4j .
#   docker run --rm -p 8888:8888 bolmo4j        # open the http://127.0.0.1:8888/?token=... URL it prints
# The image runs the same set-up steps as CI (.ci/run): kernel/ci-setup.sh, the Maven build, `bolmo4j kernel install`.
# The Java inference engine needs the JDK's Vector API module: the launcher and the installed kernelspec start their
# JVMs with --add-modules jdk.incubator.vector (a java command of your own needs it too; without it DJL runs inference).
FROM debian:bookworm
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jdk-headless maven ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/bolmo4j
COPY . .
RUN bash kernel/ci-setup.sh \
 && mvn -B -q -DskipTests package \
 && ./bolmo4j kernel install --prefix /usr/local \
 && rm -rf /var/lib/apt/lists/*
EXPOSE 8888
CMD ["jupyter", "notebook", "--ip=0.0.0.0", "--port=8888", "--no-browser", "--allow-root", "--notebook-dir=/opt/bolmo4j/notebooks"]
