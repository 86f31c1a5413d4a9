# syntax=docker/dockerfile:1
# The opath console, for the schema-init job (`opath db init`) and cohort submission (`opath submit ... --cluster postgres`).
# Build from the repository root:  docker build -f docker/client.Dockerfile -t opath/client:dev .
# The client references the silo (its embedded cluster), so it carries the CPU libtorch too.

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
COPY client/Client.csproj client/
RUN dotnet restore client/Client.csproj -p:TorchDevice=cpu
COPY pathology/ pathology/
COPY grains.interfaces/ grains.interfaces/
COPY grains/ grains/
COPY silo/ silo/
COPY client/ client/
RUN dotnet publish client/Client.csproj -c Release --no-restore -p:TorchDevice=cpu -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble
RUN apt-get update \
 && apt-get install -y --no-install-recommends libopenslide0 libturbojpeg \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# libtorch keeps oneDNN primitives per input shape; a worker scoring a cohort meets many (dense regions differ in width).
# 256 of them instead of oneDNN's 1024 took 148 MiB off an 8-slide cohort's peak at the same speed (BENCHMARKS.md).
ENV ONEDNN_PRIMITIVE_CACHE_CAPACITY=256
COPY --from=build /app ./
USER 1654
ENTRYPOINT ["dotnet", "opath.dll"]
