# syntax=docker/dockerfile:1
# A GPU silo: CUDA inference workers, one per GPU the pod is given (k8s/base/silo-gpu.yaml).
# Build from the repository root:  docker build -f docker/silo.cuda.Dockerfile -t opath/silo-cuda:dev .
# -p:TorchDevice=cuda swaps libtorch-cpu-linux-x64 for libtorch-cuda-12.8-linux-x64 (pathology/Pathology.csproj),
# which brings libtorch's own CUDA libraries; the host needs an NVIDIA driver for CUDA 12.8 and the NVIDIA
# container toolkit (the GPU operator or device plugin on Kubernetes).

FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
WORKDIR /src
# cc and libjpeg's headers build libopath_jpeg.so, the tile reader's partial-tile decoder (pathology/Slides/Native).
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev libjpeg-dev \
 && rm -rf /var/lib/apt/lists/*
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY build/ build/
COPY pathology/Pathology.csproj pathology/
COPY grains.interfaces/GrainInterfaces.csproj grains.interfaces/
COPY grains/Grains.csproj grains/
COPY silo/Silo.csproj silo/
RUN dotnet restore silo/Silo.csproj -p:TorchDevice=cuda
COPY pathology/ pathology/
COPY grains.interfaces/ grains.interfaces/
COPY grains/ grains/
COPY silo/ silo/
RUN dotnet publish silo/Silo.csproj -c Release --no-restore -p:TorchDevice=cuda -o /app

# The .NET runtime comes from Microsoft's image; CUDA's from NVIDIA's.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS dotnet

# CUDA 12.8 with cuDNN on Ubuntu 24.04 (GCC 13's libstdc++: no GLIBCXX fix needed), matching libtorch-cuda-12.8.
FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04
# What .NET needs on Ubuntu 24.04 (no ICU: the projects use invariant globalization), plus OpenSlide.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3t64 tzdata libopenslide0 libturbojpeg \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 1654 app \
 && useradd --uid 1654 --gid 1654 --create-home app
COPY --from=dotnet /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
ENV DOTNET_RUNNING_IN_CONTAINER=true
WORKDIR /app
# libtorch keeps oneDNN primitives per input shape; a worker scoring a cohort meets many (dense regions differ in width).
# 256 of them instead of oneDNN's 1024 took 148 MiB off an 8-slide cohort's peak at the same speed (BENCHMARKS.md).
ENV ONEDNN_PRIMITIVE_CACHE_CAPACITY=256
COPY --from=build /app ./
USER 1654
EXPOSE 11111 30000 8080
ENTRYPOINT ["dotnet", "OrleansPathology.Silo.dll"]
