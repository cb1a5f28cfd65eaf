"""Inference handler (seed 004): predicts the iris species of the submitted measurements and
stores the submission with its prediction in the table.

Request (API Gateway proxy, Cognito-authorized): body {"features": [sepal_length,
sepal_width, petal_length, petal_width]}. Environment: TABLE_NAME, TABLE_PARTITION_KEY,
CORS_ORIGINS."""
import json
import os
import pickle
import time
import uuid
from decimal import Decimal

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
KEY = os.environ.get("TABLE_PARTITION_KEY", "id")
ORIGINS = [o.strip() for o in os.environ.get("CORS_ORIGINS", "*").split(",") if o.strip()]
MODEL_PATH = os.path.join(os.path.dirname(__file__), "model", "model.pkl")
SPECIES = ["setosa", "versicolor", "virginica"]
# Class means of the iris data set, for the fallback classifier.
CENTROIDS = [[5.006, 3.428, 1.462, 0.246], [5.936, 2.770, 4.260, 1.326], [6.588, 2.974, 5.552, 2.026]]

MODEL = None
if os.path.exists(MODEL_PATH):
    with open(MODEL_PATH, "rb") as f:
        MODEL = pickle.load(f)  # noqa: S301 - the model is part of the image, not user input


def predict(features):
    if MODEL is not None:
        label = MODEL.predict([features])[0]
        return SPECIES[int(label)] if str(label).isdigit() else str(label)
    distances = [sum((a - b) ** 2 for a, b in zip(features, c)) for c in CENTROIDS]
    return SPECIES[distances.index(min(distances))]


def cors_headers(event):
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    origin = headers.get("origin", "")
    allowed = "*" if "*" in ORIGINS else (origin if origin in ORIGINS else ORIGINS[0])
    out = {"Access-Control-Allow-Origin": allowed, "Access-Control-Allow-Headers": "Content-Type,Authorization",
           "Content-Type": "application/json"}
    if allowed != "*":
        out["Vary"] = "Origin"
    return out


def answer(event, status, body):
    return {"statusCode": status, "headers": cors_headers(event), "body": json.dumps(body)}


def handler(event, context):
    try:
        body = json.loads(event.get("body") or "{}")
        features = [float(x) for x in body["features"]]
        if len(features) != 4:
            raise ValueError("four measurements expected")
    except (ValueError, KeyError, TypeError) as error:
        return answer(event, 400, {"error": f"send {{\"features\": [4 numbers]}}: {error}"})
    prediction = predict(features)
    claims = ((event.get("requestContext") or {}).get("authorizer") or {}).get("claims") or {}
    TABLE.put_item(Item={
        KEY: str(uuid.uuid4()),
        "user": claims.get("sub", "unknown"),
        "features": [Decimal(str(x)) for x in features],
        "prediction": prediction,
        "createdAt": int(time.time()),
    })
    return answer(event, 200, {"prediction": prediction})
