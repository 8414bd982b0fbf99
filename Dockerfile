# mlp-lab's grader as a container image, for grading outside Gradescope (a laptop, a server, a cluster).
#
#   docker build -t mlp-lab-grader .
#   docker run --rm --network none -e MLP_LAB_GRADING_SEED \
#       -v "$PWD/submissions:/submissions:ro" -v "$PWD/grades:/grades" mlp-lab-grader /submissions --out /grades
#
# It is set up by the same script as the Gradescope bundle (checks/gradescope/setup.sh, copied to
# /opt/mlp-lab/setup.sh exactly as the bundle has it at its root): the pinned requirements.txt in a
# virtual environment, MNIST downloaded and verified against the official SHA-256, bubblewrap for
# the grader's sandbox. The released learner chapters are inside; the solutions are not.
# Gradescope's own base image is Ubuntu too: the bundle runs the same steps there.
FROM ubuntu:24.04

WORKDIR /opt/mlp-lab
COPY requirements.txt pyproject.toml ./
COPY mlp_lab ./mlp_lab
COPY checks ./checks
COPY chapters/*.ipynb ./chapters/
COPY checks/gradescope/setup.sh ./setup.sh
RUN bash setup.sh system python mnist \
    && useradd --create-home --uid 10001 grader

ENV PATH=/opt/mlp-lab/.venv/bin:$PATH \
    MLP_LAB_CACHE_DIR=/opt/mlp-lab/cache \
    OPENBLAS_NUM_THREADS=1 \
    MPLBACKEND=Agg
USER grader
WORKDIR /home/grader
# One notebook at a time by default (add -j N after the image name for more); points and check
# cells come from the released chapters.
ENTRYPOINT ["/opt/mlp-lab/.venv/bin/python", "-m", "checks.grade", "--solutions", "/opt/mlp-lab/chapters", "-j", "1"]
CMD ["--help"]
