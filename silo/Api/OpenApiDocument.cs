namespace OrleansPathology.Silo.Api;

/// <summary>
/// The API's OpenAPI 3.0 description, served at <c>/api/v1/openapi.json</c>. Written by hand beside
/// <see cref="ApiEndpoints"/> (a test checks that every mapped route is described), so the silo needs no document generator.
/// </summary>
public static class OpenApiDocument
{
    public const string Json = """
    {
      "openapi": "3.0.3",
      "info": { "title": "OrleansPathology API", "version": "1", "description": "The cluster, cohorts and training runs of an OrleansPathology cluster. Every path but this document needs Authorization: Bearer TOKEN (Api:Token on the silo). Errors are {\"error\": \"one line\"}." },
      "servers": [ { "url": "/api/v1" } ],
      "security": [ { "bearer": [] } ],
      "components": {
        "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
        "schemas": {
          "Error": { "type": "object", "properties": { "error": { "type": "string" } }, "required": ["error"] },
          "SlideRequest": { "type": "object", "required": ["id", "path"], "properties": { "id": { "type": "string" }, "path": { "type": "string", "description": "absolute, as the silos see it" }, "mask": { "type": "string", "nullable": true } } },
          "CohortRequest": { "type": "object", "required": ["id", "slides", "weights", "out"], "properties": {
            "id": { "type": "string" }, "slides": { "type": "array", "items": { "$ref": "#/components/schemas/SlideRequest" } },
            "weights": { "type": "string" }, "out": { "type": "string" }, "stride": { "type": "integer", "default": 64 },
            "mode": { "type": "string", "enum": ["dense", "patch"], "default": "dense" }, "precision": { "type": "string", "enum": ["fp32", "bf16", "fp16"], "default": "fp32" },
            "tissue": { "type": "string", "default": "robust" } } },
          "RunState": { "type": "string", "enum": ["Pending", "Running", "Completed", "Failed", "Cancelled"] },
          "SlideProgress": { "type": "object", "properties": { "slideId": { "type": "string" }, "state": { "$ref": "#/components/schemas/RunState" }, "batchesDone": { "type": "integer" }, "batchesTotal": { "type": "integer" }, "cellsDone": { "type": "integer" }, "cellsTotal": { "type": "integer" }, "error": { "type": "string", "nullable": true }, "outputDirectory": { "type": "string", "nullable": true }, "lesions": { "type": "integer" } } },
          "CohortStatus": { "type": "object", "properties": { "cohortId": { "type": "string" }, "state": { "$ref": "#/components/schemas/RunState" }, "slides": { "type": "array", "items": { "$ref": "#/components/schemas/SlideProgress" } }, "submittedAt": { "type": "string", "format": "date-time" }, "finishedAt": { "type": "string", "format": "date-time", "nullable": true } } },
          "CohortSummary": { "type": "object", "properties": { "cohortId": { "type": "string" }, "state": { "$ref": "#/components/schemas/RunState" }, "submittedAt": { "type": "string" }, "finishedAt": { "type": "string", "nullable": true }, "slides": { "type": "integer" }, "slidesCompleted": { "type": "integer" }, "slidesFailed": { "type": "integer" }, "slidesRunning": { "type": "integer" }, "cellsDone": { "type": "integer" }, "cellsTotal": { "type": "integer" }, "batchesDone": { "type": "integer" }, "batchesTotal": { "type": "integer" }, "progress": { "type": "number" } } },
          "CohortOutputs": { "type": "object", "properties": { "cohortId": { "type": "string" }, "state": { "$ref": "#/components/schemas/RunState" }, "slides": { "type": "array", "items": { "type": "object", "properties": { "slideId": { "type": "string" }, "state": { "$ref": "#/components/schemas/RunState" }, "outputDirectory": { "type": "string", "nullable": true }, "map": { "type": "string", "nullable": true }, "heatmap": { "type": "string", "nullable": true }, "lesionsCsv": { "type": "string", "nullable": true }, "lesions": { "type": "integer" }, "error": { "type": "string", "nullable": true } } } } } },
          "TrainingSummary": { "type": "object", "properties": { "runId": { "type": "string" }, "state": { "$ref": "#/components/schemas/RunState" }, "epoch": { "type": "integer" }, "epochs": { "type": "integer" }, "step": { "type": "integer" }, "stepsPerEpoch": { "type": "integer" }, "lastLoss": { "type": "number", "nullable": true }, "validationAccuracy": { "type": "number", "nullable": true }, "patchesPerSecond": { "type": "number" }, "trainers": { "type": "integer" }, "error": { "type": "string", "nullable": true } } },
          "TrainingStatus": { "type": "object", "description": "A run's full status: history of epochs (trainLoss, trainAccuracy, validationLoss, validationAccuracy), stepLosses, trainers, lastStep." },
          "Worker": { "type": "object", "properties": { "worker": { "type": "string" }, "silo": { "type": "string" }, "device": { "type": "string" }, "inFlight": { "type": "integer" }, "batchesDone": { "type": "integer" }, "cellsDone": { "type": "integer" }, "loadedWeights": { "type": "string", "nullable": true }, "busySeconds": { "type": "number" }, "cellsPerSecond": { "type": "number" }, "lastError": { "type": "string", "nullable": true }, "pulling": { "type": "boolean" } } },
          "Silo": { "type": "object", "properties": { "name": { "type": "string" }, "address": { "type": "string" }, "status": { "type": "string" }, "startedAt": { "type": "string" }, "uptimeSeconds": { "type": "number" }, "devices": { "type": "array", "items": { "type": "string" } }, "host": { "type": "string", "nullable": true } } },
          "Cluster": { "type": "object", "properties": { "at": { "type": "string" }, "silos": { "type": "array", "items": { "$ref": "#/components/schemas/Silo" } }, "workers": { "type": "array", "items": { "$ref": "#/components/schemas/Worker" } }, "cohorts": { "type": "array", "items": { "$ref": "#/components/schemas/CohortSummary" } }, "activeCohorts": { "type": "array", "items": { "$ref": "#/components/schemas/CohortSummary" } }, "training": { "type": "array", "items": { "$ref": "#/components/schemas/TrainingSummary" } }, "pending": { "type": "object", "properties": { "cells": { "type": "integer" }, "batches": { "type": "integer" }, "slides": { "type": "integer" } } }, "unreachable": { "type": "array", "items": { "type": "string" } } } }
        },
        "responses": {
          "Unauthorized": { "description": "no valid bearer token", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
          "BadRequest": { "description": "bad input", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
          "NotFound": { "description": "unknown cohort, slide or run", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
        }
      },
      "paths": {
        "/cluster": { "get": { "summary": "Silos, workers, recent cohorts, training runs and the work waiting", "responses": { "200": { "description": "the cluster", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Cluster" } } } }, "401": { "$ref": "#/components/responses/Unauthorized" } } } },
        "/cohorts": {
          "get": { "summary": "Recent cohorts, newest first", "parameters": [ { "name": "max", "in": "query", "schema": { "type": "integer", "default": 50 } } ], "responses": { "200": { "description": "cohorts", "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/CohortSummary" } } } } }, "400": { "$ref": "#/components/responses/BadRequest" }, "401": { "$ref": "#/components/responses/Unauthorized" } } },
          "post": { "summary": "Submit a cohort (idempotent for the same cohort)", "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CohortRequest" } } } }, "responses": { "201": { "description": "submitted", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CohortStatus" } } } }, "200": { "description": "already submitted with this spec" }, "400": { "$ref": "#/components/responses/BadRequest" }, "401": { "$ref": "#/components/responses/Unauthorized" } } }
        },
        "/cohorts/{id}": { "get": { "summary": "A cohort's state and every slide's progress", "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ], "responses": { "200": { "description": "status", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CohortStatus" } } } }, "401": { "$ref": "#/components/responses/Unauthorized" }, "404": { "$ref": "#/components/responses/NotFound" } } } },
        "/cohorts/{id}/cancel": { "post": { "summary": "Cancel a cohort's unfinished slides", "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ], "responses": { "200": { "description": "status after cancelling", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CohortStatus" } } } }, "401": { "$ref": "#/components/responses/Unauthorized" }, "404": { "$ref": "#/components/responses/NotFound" } } } },
        "/cohorts/{id}/results": { "get": { "summary": "Each slide's output files as the answering silo sees them", "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ], "responses": { "200": { "description": "results", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CohortOutputs" } } } }, "401": { "$ref": "#/components/responses/Unauthorized" }, "404": { "$ref": "#/components/responses/NotFound" } } } },
        "/cohorts/{id}/slides/{slide}/heatmap": { "get": { "summary": "A completed slide's heatmap", "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }, { "name": "slide", "in": "path", "required": true, "schema": { "type": "string" } } ], "responses": { "200": { "description": "PNG", "content": { "image/png": {} } }, "401": { "$ref": "#/components/responses/Unauthorized" }, "404": { "$ref": "#/components/responses/NotFound" } } } },
        "/training": { "get": { "summary": "Training runs: running, then recently ended", "responses": { "200": { "description": "runs", "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/TrainingSummary" } } } } }, "401": { "$ref": "#/components/responses/Unauthorized" } } } },
        "/training/{run}": { "get": { "summary": "A training run's full status with its loss and accuracy history", "parameters": [ { "name": "run", "in": "path", "required": true, "schema": { "type": "string" } } ], "responses": { "200": { "description": "status", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/TrainingStatus" } } } }, "401": { "$ref": "#/components/responses/Unauthorized" }, "404": { "$ref": "#/components/responses/NotFound" } } } }
      }
    }
    """;
}
