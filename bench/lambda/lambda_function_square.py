# The chapter's Python function (ch06/lambda_function_square.py), as its
# Chinese edition prints it: the benchmark runs it beside bootstrap.
import json

def lambda_handler(event, context):
    number = event["number"]
    squared = number * number
    return f"{number} 的平方是 {squared}。"
