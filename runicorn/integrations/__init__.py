"""Adapters from training frameworks to the Runicorn SDK, one module per framework.

    from runicorn.integrations.lightning import RunicornLogger        # Lightning
    from runicorn.integrations.transformers import RunicornCallback   # Hugging Face Trainer
    from runicorn.integrations.keras import RunicornCallback          # Keras 3

Each adapter maps its framework's hooks onto the public SDK (``rn.init``, ``run.log``,
``run.summary``, ``run.config``, ``run.finish``) and nothing else. Importing ``runicorn`` or this
package imports no framework; importing one of the modules imports that framework (it subclasses
the framework's own base class). See docs/integrations.md.
"""
